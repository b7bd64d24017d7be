#pragma once
// The language of the customer pages: German or English.

#include <optional>
#include <string_view>

namespace supportdrop::pages {

enum class Language { de, en };

std::string_view language_code(Language language);
std::optional<Language> language_from_code(std::string_view code);

// An explicit choice (the switch: ?lang=, then the lang cookie) wins; otherwise the best match
// in Accept-Language by q-value; otherwise German.
Language choose_language(std::string_view query_choice, std::string_view cookie_choice,
                         std::string_view accept_language);

} // namespace supportdrop::pages
