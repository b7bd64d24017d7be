#pragma once
// Every text a customer reads, in German and English, by key.

#include "pages/language.hpp"

#include <map>
#include <string>
#include <string_view>

namespace supportdrop::pages {

using MessageParameters = std::map<std::string, std::string, std::less<>>;

// The text for `key` with "{name}" replaced from `parameters`. An unknown key yields the key
// itself (and is caught by the tests that render every page and error).
std::string text(Language language, std::string_view key, const MessageParameters& parameters = {});

// Whether `key` exists in both languages.
bool has_text(std::string_view key);

} // namespace supportdrop::pages
