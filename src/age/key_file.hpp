#pragma once
// Identity and recipients files in age-keygen's layout: one key per line, '#' comments and
// blank lines ignored.

#include "age/x25519_keys.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace supportdrop::age {

// What went wrong, and on which line (1-based; 0 when it concerns the whole file).
struct KeyFileError {
    ErrorCode error;
    std::size_t line = 0;
};

template <class T>
using KeyFileResult = boost::system::result<T, KeyFileError>;

// Boost.System's hook for result<T, KeyFileError>::value() on an error.
[[noreturn]] void throw_exception_from_error(const KeyFileError& error, const boost::source_location& location);

// Parses an identity file. Fails on the first invalid line, or with
// Errc::no_identities_in_file when there is none.
KeyFileResult<std::vector<X25519Identity>> parse_identity_file(std::string_view text);

// Parses a recipients file. Fails on the first invalid line, or with Errc::no_recipients.
KeyFileResult<std::vector<X25519Recipient>> parse_recipients_file(std::string_view text);

// The identity file age-keygen would write: creation time and public key as comments, then
// the identity.
std::string format_identity_file(const X25519Identity& identity, std::chrono::system_clock::time_point created);

} // namespace supportdrop::age
