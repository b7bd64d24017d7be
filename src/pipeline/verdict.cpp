#include "pipeline/verdict.hpp"

#include <algorithm>
#include <set>

namespace supportdrop::pipeline {
namespace {

using inspector::Finding;

static_assert(
    [] {
        for (std::size_t i = 0; i < k_reasons.size(); ++i) {
            if (static_cast<std::size_t>(k_reasons[i].reason) != i) {
                return false;
            }
        }
        return true;
    }(),
    "k_reasons must list every Reason in enum order");

// The findings of the listing that are reasons of their own.
constexpr std::array<std::pair<Finding, Reason>, 15> k_finding_reasons = {{
    {Finding::corrupt, Reason::corrupt},
    {Finding::encrypted_data, Reason::encrypted},
    {Finding::encrypted_names, Reason::encrypted_names},
    {Finding::path_traversal, Reason::path_traversal},
    {Finding::absolute_path, Reason::absolute_path},
    {Finding::symlink, Reason::links},
    {Finding::hardlink, Reason::links},
    {Finding::special_file, Reason::special_files},
    {Finding::duplicate_name, Reason::duplicate_names},
    {Finding::too_many_entries, Reason::too_many_entries},
    {Finding::declared_size_over_limit, Reason::total_size_too_large},
    {Finding::compression_ratio_over_limit, Reason::compression_bomb},
    {Finding::decompression_budget_exceeded, Reason::decompression_limit},
    {Finding::nested_archive, Reason::nested_archive},
    {Finding::path_too_long, Reason::long_path},
}};

// Which libarchive format each detected type must read as.
bool format_matches(ArchiveType detected, const inspector::ArchiveListing& listing) {
    switch (detected) {
    case ArchiveType::zip: return listing.format == "zip";
    case ArchiveType::rar4: return listing.format == "rar";
    case ArchiveType::rar5: return listing.format == "rar5";
    case ArchiveType::tar: return listing.format == "tar" && !listing.gzip;
    case ArchiveType::gzip: return listing.format == "tar" && listing.gzip;
    }
    return false;
}

void judge_readme(const inspector::InspectionReport& report, std::set<Reason>& reasons) {
    if (report.listing.has(Finding::encrypted_names)) {
        return; // nothing can be said about it; the encryption reason asks for the password
    }
    const inspector::ReadmeReport& readme = report.readme;
    if (readme.path.empty()) {
        reasons.insert(Reason::missing_readme);
    } else if (readme.encrypted) {
        reasons.insert(Reason::readme_encrypted);
    } else {
        if (!readme.findings.has_contact) {
            reasons.insert(Reason::readme_no_contact);
        }
        if (!readme.findings.has_concern) {
            reasons.insert(Reason::readme_no_concern);
        }
    }
}

} // namespace

std::optional<Reason> reason_from_code(std::string_view code) {
    const auto* found = std::ranges::find(k_reasons, code, &ReasonInfo::code);
    if (found == k_reasons.end()) {
        return std::nullopt;
    }
    return found->reason;
}

Verdict judge(const inspector::InspectionReport& report, ArchiveType detected, std::string_view client_file_name,
              const InspectionPolicy& policy) {
    std::set<Reason> reasons;
    const inspector::ArchiveListing& listing = report.listing;
    if (!extension_matches(detected, client_file_name)) {
        reasons.insert(Reason::extension_mismatch);
    }
    if (detected == ArchiveType::gzip && listing.format != "tar") {
        // Inside the gzip there is no tar: a single compressed file (even a .zip.gz is one),
        // which the customer needs to pack again.
        reasons.insert(Reason::bare_gzip);
    } else if (listing.format.empty()) {
        reasons.insert(Reason::corrupt);
    } else if (!format_matches(detected, listing)) {
        reasons.insert(Reason::format_mismatch);
    } else {
        for (const auto& [finding, reason] : k_finding_reasons) {
            if (listing.has(finding)) {
                reasons.insert(reason);
            }
        }
        judge_readme(report, reasons);
    }
    Verdict verdict;
    for (const Reason reason : reasons) {
        (policy[reason] == Policy::reject ? verdict.rejections : verdict.warnings).push_back(reason);
    }
    return verdict;
}

} // namespace supportdrop::pipeline
