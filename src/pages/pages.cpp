#include "pages/pages.hpp"

#include "pages/template.hpp"
#include "util/text.hpp"

namespace supportdrop::pages {
namespace {

std::string with_language(const PageFrame& frame, Language language) {
    return frame.path + (frame.path.find('?') == std::string::npos ? "?" : "&") +
           "lang=" + std::string(language_code(language));
}

std::string frame_page(const PageFrame& frame, std::string_view title_key, std::string content) {
    const Language other = frame.language == Language::de ? Language::en : Language::de;
    TemplateValues values = {
        {"lang", std::string(language_code(frame.language))},
        {"title", text(frame.language, title_key)},
        {"language_label", text(frame.language, "page.language_label")},
        {"switch_url", with_language(frame, other)},
        {"other_lang", std::string(language_code(other))},
        {"other_language_name", text(frame.language, "page.other_language_name")},
        {"privacy_link", text(frame.language, "page.privacy_link")},
        {"content", std::move(content)},
    };
    return render_template(asset("layout.html"), values);
}

// Fills every "<prefix>.<name>" text for the names the template uses.
void add_texts(TemplateValues& values, Language language, std::string_view prefix,
               std::initializer_list<std::string_view> names, const MessageParameters& parameters = {}) {
    for (const std::string_view name : names) {
        values.emplace(std::string(name), text(language, std::string(prefix) + "." + std::string(name), parameters));
    }
}

// The reasons of a verdict as a list: what is wrong, then what to do. HTML made here, from
// escaped texts.
std::string reason_list(Language language, const std::vector<std::string>& reasons,
                        const MessageParameters& parameters) {
    if (reasons.empty()) {
        return {};
    }
    std::string html = "<ul class=\"reasons\">\n";
    for (const std::string& code : reasons) {
        html += "<li><strong>" + escape_html(text(language, "reason." + code + ".message", parameters)) + "</strong> " +
                escape_html(text(language, "reason." + code + ".advice", parameters)) + "</li>\n";
    }
    return html + "</ul>";
}

// What the pages say about who can read a sealed upload: the demo notice (empty unless in the
// demo) and the sentence for `<prefix>.<sealed>` or its "_demo" variant.
void add_sealing_texts(TemplateValues& values, Language language, const ServiceFacts& facts, std::string_view prefix,
                       std::string_view sealed) {
    const bool demo = facts.sealing_keys == SealingKeys::demo_identity_on_server;
    values.emplace("demo_notice", demo ? text(language, "page.demo_notice") : std::string());
    values.emplace(std::string(sealed),
                   text(language, std::string(prefix) + "." + std::string(sealed) + (demo ? "_demo" : "")));
}

std::string findings_list(Language language, const ReceiptFindings& findings) {
    const auto item = [language](std::string_view key, const MessageParameters& parameters = {}) {
        return "<li>" + escape_html(text(language, "receipt." + std::string(key), parameters)) + "</li>\n";
    };
    return "<ul class=\"findings\">\n" + item("entries", {{"count", std::to_string(findings.entries)}}) +
           item(findings.readme_found ? "readme_found" : "readme_missing") +
           item(findings.contact_found ? "contact_found" : "contact_missing") +
           item(findings.encrypted ? "encrypted" : "not_encrypted") + "</ul>";
}

} // namespace

std::string format_megabytes(Language language, std::uint64_t bytes) {
    const std::uint64_t tenths = (bytes * 10 + 524'288) / 1'048'576;
    std::string out = std::to_string(tenths / 10);
    if (tenths % 10 != 0) {
        out += (language == Language::de ? ',' : '.');
        out += std::to_string(tenths % 10);
    }
    return out;
}

std::string upload_page(const PageFrame& frame, const ServiceFacts& facts, std::string_view csrf_token) {
    const MessageParameters parameters = {{"max_mb", format_megabytes(frame.language, facts.max_upload_bytes)},
                                          {"days", std::to_string(facts.retention_days)}};
    TemplateValues values = {{"csrf", std::string(csrf_token)}};
    add_sealing_texts(values, frame.language, facts, "upload", "data_sealed");
    add_texts(values, frame.language, "upload",
              {"heading", "intro", "what_heading", "what_archive", "what_readme", "what_password", "form_heading",
               "file_label", "submit", "after_submit", "data_heading", "data_text", "privacy_more"},
              parameters);
    return frame_page(frame, "upload.title", render_template(asset("upload.html"), values));
}

std::string receipt_page(const PageFrame& frame, const ReceiptView& receipt) {
    const std::string type = text(frame.language, "type." + receipt.archive_type);
    MessageParameters reason_parameters = receipt.reason_parameters;
    reason_parameters["type"] = type;
    TemplateValues values = {
        {"reference", receipt.reference},
        {"type", type},
        {"size", text(frame.language, "receipt.size_value", {{"bytes", std::to_string(receipt.size)}})},
        {"sha256", receipt.sha256},
        {"time", util::format_utc(receipt.received_at, "%Y-%m-%d %H:%M:%S UTC")},
        {"receipt_url", receipt.receipt_url},
        {"receipt_url_label", text(frame.language, "receipt.url_label")},
        {"findings", receipt.findings ? findings_list(frame.language, *receipt.findings) : ""},
        {"warnings", reason_list(frame.language, receipt.warnings, reason_parameters)},
    };
    add_texts(values, frame.language, "receipt",
              {"heading", "intro", "reference_label", "type_label", "size_label", "sha256_label", "time_label", "next",
               "findings_heading", "warnings_heading"});
    return frame_page(frame, "receipt.title", render_template(asset("receipt.html"), values));
}

std::string privacy_page(const PageFrame& frame, const ServiceFacts& facts) {
    const MessageParameters parameters = {{"days", std::to_string(facts.retention_days)},
                                          {"recipients", std::to_string(facts.recipient_count)}};
    TemplateValues values = {
        {"controller", facts.controller.empty() ? text(frame.language, "privacy.controller_unset") : facts.controller},
        {"contact", facts.contact},
    };
    add_sealing_texts(values, frame.language, facts, "privacy", "stored_sealed");
    add_texts(values, frame.language, "privacy",
              {"heading", "intro", "controller_heading", "stored_heading", "stored_archive", "stored_metadata",
               "stored_network", "access_heading", "access", "retention_heading", "retention", "rights_heading",
               "rights"},
              parameters);
    return frame_page(frame, "privacy.title", render_template(asset("privacy.html"), values));
}

std::string error_page(const PageFrame& frame, std::string_view public_code, const MessageParameters& parameters,
                       const std::vector<std::string>& reasons) {
    const std::string prefix = "error." + std::string(public_code);
    const TemplateValues values = {
        {"heading", text(frame.language, "error.heading")},
        {"message", text(frame.language, prefix + ".message", parameters)},
        {"advice", text(frame.language, prefix + ".advice", parameters)},
        {"reasons", reason_list(frame.language, reasons, parameters)},
        {"back", text(frame.language, "page.back")},
    };
    return frame_page(frame, "error.title", render_template(asset("error.html"), values));
}

} // namespace supportdrop::pages
