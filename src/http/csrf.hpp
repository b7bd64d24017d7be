#pragma once
// Cross-site request forgery protection for the upload form: a random cookie, and a token
// that is an HMAC of it under a server key, carried in the form's action URL so that it is
// checked with the headers, before any upload byte is read.

#include "util/errors.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace supportdrop::http {

inline constexpr std::string_view k_csrf_cookie = "sd_csrf";

// Thread-safe (immutable after construction).
class CsrfGuard {
public:
    // Loads the key from `key_file`, creating it (mode 0600, 32 random bytes) when missing, so
    // that forms stay valid across restarts.
    static util::Result<CsrfGuard> open(const std::filesystem::path& key_file);

    // A fresh cookie value (128 random bits, base64url).
    util::Result<std::string> new_cookie_value() const;

    // The token for the form of the browser holding `cookie_value`.
    std::string token_for(std::string_view cookie_value) const;

    // Whether `token` belongs to `cookie_value` (constant time).
    bool verify(std::string_view cookie_value, std::string_view token) const;

private:
    explicit CsrfGuard(const std::array<std::uint8_t, 32>& key) : m_key(key) {}
    std::array<std::uint8_t, 32> m_key;
};

} // namespace supportdrop::http
