#include "pages/template.hpp"

namespace supportdrop::pages {
namespace {

const std::string& lookup(const TemplateValues& values, std::string_view name) {
    const auto it = values.find(name);
    if (it == values.end()) {
        throw TemplateError("template value '" + std::string(name) + "' is missing");
    }
    return it->second;
}

} // namespace

std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string render_template(std::string_view text, const TemplateValues& values) {
    std::string out;
    out.reserve(text.size() * 2);
    std::size_t position = 0;
    while (position < text.size()) {
        const std::size_t open = text.find("{{", position);
        if (open == std::string_view::npos) {
            out += text.substr(position);
            break;
        }
        out += text.substr(position, open - position);
        const bool raw = text.substr(open, 3) == "{{{";
        const std::size_t close = text.find(raw ? "}}}" : "}}", open);
        if (close == std::string_view::npos) {
            throw TemplateError("unclosed tag in template");
        }
        const std::string_view tag = text.substr(open + (raw ? 3 : 2), close - open - (raw ? 3 : 2));
        position = close + (raw ? 3 : 2);
        if (!raw && (tag.starts_with('#') || tag.starts_with('^'))) {
            const std::string_view name = tag.substr(1);
            const std::string end_tag = "{{/" + std::string(name) + "}}";
            const std::size_t end = text.find(end_tag, position);
            if (end == std::string_view::npos) {
                throw TemplateError("section '" + std::string(name) + "' is not closed");
            }
            const bool shown = lookup(values, name).empty() == tag.starts_with('^');
            if (shown) {
                out += render_template(text.substr(position, end - position), values);
            }
            position = end + end_tag.size();
        } else if (raw) {
            out += lookup(values, tag);
        } else {
            out += escape_html(lookup(values, tag));
        }
    }
    return out;
}

} // namespace supportdrop::pages
