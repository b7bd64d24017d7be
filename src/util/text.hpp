#pragma once
// Small text helpers shared by the parsers of headers, configuration and keys, and the view of
// a text as the bytes that are hashed, sealed or written.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace supportdrop::util {

// The bytes of `text`, viewed, not copied: for hashing, sealing or writing it. Valid as long as
// the text is.
inline std::span<const std::uint8_t> bytes_of(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// ASCII lower case.
std::string to_lower(std::string_view text);

// Without leading and trailing spaces and tabs.
std::string_view trim(std::string_view text);

// `time` in UTC with a strftime `format`; the default is ISO 8601 ("2026-11-26T20:30:00Z"). The
// attribute has the compiler check each caller's format as it checks strftime's.
[[gnu::format(strftime, 2, 0)]] std::string format_utc(std::chrono::system_clock::time_point time,
                                                       const char* format = "%Y-%m-%dT%H:%M:%SZ");

} // namespace supportdrop::util
