#include "http/public_error.hpp"
#include "pages/pages.hpp"
#include "pages/template.hpp"
#include "pipeline/verdict.hpp"

#include <gtest/gtest.h>

namespace supportdrop::pages {
namespace {

TEST(Template, EscapesValuesAndRendersSections) {
    const TemplateValues values = {{"name", "<b>&\"'"}, {"raw", "<i>ok</i>"}, {"empty", ""}, {"full", "x"}};
    EXPECT_EQ(render_template("a {{name}} b", values), "a &lt;b&gt;&amp;&quot;&#39; b");
    EXPECT_EQ(render_template("{{{raw}}}", values), "<i>ok</i>");
    EXPECT_EQ(render_template("{{#full}}shown {{full}}{{/full}}{{#empty}}hidden{{/empty}}", values), "shown x");
    EXPECT_EQ(render_template("{{^empty}}fallback{{/empty}}", values), "fallback");
    EXPECT_THROW(render_template("{{missing}}", values), TemplateError);
    EXPECT_THROW(render_template("{{#full}}open", values), TemplateError);
}

TEST(Language, FollowsTheSwitchThenAcceptLanguage) {
    EXPECT_EQ(choose_language("", "", ""), Language::de);
    EXPECT_EQ(choose_language("", "", "en-US,en;q=0.9"), Language::en);
    EXPECT_EQ(choose_language("", "", "fr, en;q=0.4, de;q=0.8"), Language::de);
    EXPECT_EQ(choose_language("", "", "fr"), Language::de);
    EXPECT_EQ(choose_language("", "", "en;q=0"), Language::de);
    EXPECT_EQ(choose_language("", "en", "de"), Language::en);
    EXPECT_EQ(choose_language("de", "en", "en"), Language::de);
    EXPECT_EQ(choose_language("xx", "", "en"), Language::en);
}

TEST(Messages, EveryPublicErrorHasBothTexts) {
    for (const auto& error : http::k_public_errors) {
        EXPECT_TRUE(has_text("error." + std::string(error.code) + ".message")) << error.code;
        EXPECT_TRUE(has_text("error." + std::string(error.code) + ".advice")) << error.code;
    }
    for (const char* kind :
         {"empty", "pdf", "png", "jpeg", "gif", "7z", "xz", "bzip2", "zstd", "executable", "text", "unknown"}) {
        EXPECT_TRUE(has_text("kind." + std::string(kind))) << kind;
    }
    for (const char* type : {"zip", "rar4", "rar5", "gzip", "tar"}) {
        EXPECT_TRUE(has_text("type." + std::string(type))) << type;
    }
    EXPECT_EQ(text(Language::en, "error.not_an_archive.message", {{"kind", "a PDF document"}}),
              "This is a PDF document, not an archive.");
}

TEST(Pages, RenderInBothLanguagesWithoutInlineScript) {
    const ServiceFacts facts{52'428'800, 30, 2, "Example GmbH", "privacy@example.com"};
    for (const Language language : {Language::de, Language::en}) {
        const PageFrame frame{language, "/"};
        const std::string upload = upload_page(frame, facts, "TOKEN");
        EXPECT_NE(upload.find("action=\"/upload?csrf=TOKEN\""), std::string::npos);
        EXPECT_NE(upload.find("50 MB"), std::string::npos);
        EXPECT_EQ(upload.find("<script"), std::string::npos);
        const std::string privacy = privacy_page(frame, facts);
        EXPECT_NE(privacy.find("Example GmbH"), std::string::npos);
        EXPECT_NE(privacy.find("30"), std::string::npos);
        // Every reason of a verdict has a message and advice in both languages.
        std::vector<std::string> all_reasons;
        for (const auto& reason : pipeline::k_reasons) {
            all_reasons.emplace_back(reason.code);
        }
        const MessageParameters limits = {
            {"max_entries", "10000"}, {"max_total_mb", "2048"}, {"max_unpacked_mb", "256"}, {"type", "ZIP"}};
        const std::string receipt = receipt_page(frame, {"SD-AAAA-BBBB",
                                                         "zip",
                                                         10,
                                                         "ab",
                                                         {},
                                                         ReceiptFindings{3, true, false, true},
                                                         all_reasons,
                                                         limits,
                                                         "https://x/receipt/t"});
        EXPECT_NE(receipt.find("SD-AAAA-BBBB"), std::string::npos);
        EXPECT_EQ(receipt.find("reason."), std::string::npos);
        EXPECT_EQ(receipt.find('{'), std::string::npos) << "unfilled parameter";
        for (const auto& error : http::k_public_errors) {
            MessageParameters parameters = limits;
            parameters.insert({{"max_mb", "1"}, {"retry_after", "5"}, {"kind", "x"}, {"incident", "INC-A"}});
            const std::string page = error_page(frame, error.code, parameters, all_reasons);
            EXPECT_EQ(page.find("error."), std::string::npos) << "untranslated key on " << error.code;
            EXPECT_EQ(page.find("reason."), std::string::npos) << "untranslated reason on " << error.code;
        }
    }
}

// With the demo identity on the server, no page may promise that the server cannot read uploads.
TEST(Pages, SayInDemoModeThatThisServerHoldsTheKey) {
    ServiceFacts facts{52'428'800, 30, 1, "", ""};
    const PageFrame english{Language::en, "/"};
    const PageFrame german{Language::de, "/"};
    const std::string cannot_read = "this server cannot read it afterwards";
    EXPECT_NE(upload_page(english, facts, "T").find(cannot_read), std::string::npos);
    EXPECT_EQ(upload_page(english, facts, "T").find("Demo mode"), std::string::npos);
    EXPECT_NE(privacy_page(english, facts).find("This server cannot read them"), std::string::npos);

    facts.sealing_keys = SealingKeys::demo_identity_on_server;
    for (const std::string& page : {upload_page(english, facts, "T"), privacy_page(english, facts)}) {
        EXPECT_NE(page.find("<p class=\"demo\" role=\"alert\">Demo mode: uploads are encrypted to a demo key that is "
                            "kept on this server. Do not upload real data here.</p>"),
                  std::string::npos)
            << page;
        EXPECT_EQ(page.find("cannot read"), std::string::npos) << page;
    }
    EXPECT_NE(upload_page(english, facts, "T").find("in demo mode to a key that is kept on this server"),
              std::string::npos);
    EXPECT_NE(privacy_page(english, facts).find("which can therefore read them"), std::string::npos);
    for (const std::string& page : {upload_page(german, facts, "T"), privacy_page(german, facts)}) {
        EXPECT_NE(page.find("Demo-Betrieb: Uploads werden für einen Demo-Schlüssel verschlüsselt"), std::string::npos)
            << page;
        EXPECT_EQ(page.find("nicht mehr lesen"), std::string::npos) << page;
    }
}

TEST(Pages, FormatsMegabytes) {
    EXPECT_EQ(format_megabytes(Language::en, 52'428'800), "50");
    EXPECT_EQ(format_megabytes(Language::en, 1'500'000), "1.4");
    EXPECT_EQ(format_megabytes(Language::de, 1'500'000), "1,4");
    EXPECT_EQ(format_megabytes(Language::en, 1'000'000), "1");
}

} // namespace
} // namespace supportdrop::pages
