#include "inspector/errors.hpp"
#include "inspector/report.hpp"

#include <gtest/gtest.h>

namespace supportdrop::inspector {
namespace {

InspectionReport sample_report() {
    InspectionReport report;
    report.listing.format = "zip";
    report.listing.declared_bytes = 42;
    report.listing.findings = {Finding::symlink, Finding::encrypted_data};
    report.listing.entries = {{"Readme.txt", 40, EntryKind::file, false}, {"link", 2, EntryKind::symlink, true}};
    report.readme.path = "Readme.txt";
    report.readme.encoding = TextEncoding::windows1252;
    report.readme.findings.has_contact = true;
    report.readme.findings.concern_letters = 31;
    report.readme.findings.contact.email = "erika@example.com";
    report.readme.findings.contact.name = "Erika M\xC3\xBCller";
    return report;
}

TEST(InspectionReport, RoundTripsThroughJson) {
    const auto parsed = report_from_json(report_to_json(sample_report()), InspectionLimits{});
    ASSERT_TRUE(parsed) << parsed.error().message();
    EXPECT_EQ(parsed->listing.format, "zip");
    EXPECT_EQ(parsed->listing.findings, sample_report().listing.findings);
    ASSERT_EQ(parsed->listing.entries.size(), 2u);
    EXPECT_EQ(parsed->listing.entries[1].kind, EntryKind::symlink);
    EXPECT_TRUE(parsed->listing.entries[1].encrypted);
    EXPECT_EQ(parsed->readme.encoding, TextEncoding::windows1252);
    EXPECT_EQ(parsed->readme.findings.contact.name, "Erika M\xC3\xBCller");
    EXPECT_EQ(parsed->readme.findings.concern_letters, 31u);
    EXPECT_EQ(parsed->listing.readme_path, "Readme.txt");
}

TEST(InspectionReport, NamesAreMadePrintable) {
    InspectionReport report = sample_report();
    report.listing.entries[0].path = std::string("a\x01\nb\xFF.txt");
    const auto parsed = report_from_json(report_to_json(report), InspectionLimits{});
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->listing.entries[0].path, "a??b?.txt");
}

TEST(InspectionReport, RejectsWhatBreaksTheSchemaOrTheLimits) {
    const std::string good = report_to_json(sample_report());
    const auto replaced = [&good](const std::string& from, const std::string& to) {
        std::string text = good;
        text.replace(text.find(from), from.size(), to);
        return text;
    };
    for (const std::string& bad : {
             std::string("not json"),
             std::string("[]"),
             replaced("\"symlink\",\"encrypted_data\"", "\"symlink\",\"symlink\""),
             replaced("\"encrypted_data\"", "\"made_up\""),
             replaced("\"size\":40", "\"size\":-1"),
             replaced("\"kind\":\"file\"", "\"kind\":\"socket\""),
             replaced("\"encoding\":\"windows-1252\"", "\"encoding\":\"koi8-r\""),
             replaced("\"gzip\":false", "\"gzip\":0"),
             replaced(",\"error\":\"\"", ""),
         }) {
        EXPECT_EQ(report_from_json(bad, InspectionLimits{}).error(), Errc::bad_report) << bad;
    }
    EXPECT_FALSE(report_from_json(good, InspectionLimits{.max_entries = 1}));
    EXPECT_FALSE(report_from_json(good, InspectionLimits{.max_path_bytes = 4}));
}

} // namespace
} // namespace supportdrop::inspector
