#include "pages/language.hpp"

#include "util/text.hpp"

#include <cctype>
#include <charconv>
#include <string>

namespace supportdrop::pages {
namespace {

// "de-CH;q=0.8" -> (language de, 0.8); unknown languages and malformed q-values give nothing.
std::optional<std::pair<Language, double>> parse_range(std::string_view range) {
    const std::size_t semicolon = range.find(';');
    std::string tag(util::trim(range.substr(0, semicolon)));
    for (char& c : tag) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const auto language = language_from_code(tag.substr(0, tag.find('-')));
    if (!language) {
        return std::nullopt;
    }
    double quality = 1.0;
    if (semicolon != std::string_view::npos) {
        const std::string_view parameter = util::trim(range.substr(semicolon + 1));
        if (!parameter.starts_with("q=")) {
            return std::nullopt;
        }
        const std::string value(parameter.substr(2));
        char* end = nullptr;
        quality = std::strtod(value.c_str(), &end);
        if (end != value.c_str() + value.size() || quality < 0 || quality > 1) {
            return std::nullopt;
        }
    }
    return std::pair{*language, quality};
}

} // namespace

std::string_view language_code(Language language) {
    return language == Language::de ? "de" : "en";
}

std::optional<Language> language_from_code(std::string_view code) {
    if (code == "de") {
        return Language::de;
    }
    if (code == "en") {
        return Language::en;
    }
    return std::nullopt;
}

Language choose_language(std::string_view query_choice, std::string_view cookie_choice,
                         std::string_view accept_language) {
    if (const auto chosen = language_from_code(query_choice)) {
        return *chosen;
    }
    if (const auto chosen = language_from_code(cookie_choice)) {
        return *chosen;
    }
    std::optional<std::pair<Language, double>> best;
    while (!accept_language.empty()) {
        const std::size_t comma = accept_language.find(',');
        const auto range = parse_range(accept_language.substr(0, comma));
        if (range && range->second > 0 && (!best || range->second > best->second)) {
            best = range;
        }
        accept_language = comma == std::string_view::npos ? std::string_view() : accept_language.substr(comma + 1);
    }
    return best ? best->first : Language::de;
}

} // namespace supportdrop::pages
