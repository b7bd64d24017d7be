#pragma once
// The age v1 header (c2sp.org/age, "Header"): version line, recipient stanzas, MAC line.

#include "age/errors.hpp"
#include "crypto/hmac.hpp"
#include "crypto/secret.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace supportdrop::age {

inline constexpr std::string_view k_version_line = "age-encryption.org/v1";
inline constexpr std::size_t k_file_key_size = 16;
inline constexpr std::size_t k_max_header_size = std::size_t{64} * 1024;
// Stanza bodies are wrapped at 64 base64 columns; a shorter (possibly empty) line ends a body.
inline constexpr std::size_t k_stanza_columns = 64;

using FileKey = crypto::Secret<k_file_key_size>;

struct Stanza {
    std::string type;
    std::vector<std::string> arguments;
    std::vector<std::uint8_t> body;
};

struct Header {
    std::vector<Stanza> stanzas;
    crypto::Sha256Digest mac{};
    std::size_t mac_input_size = 0; // bytes covered by the MAC: up to and including "---"
    std::size_t size = 0;           // bytes of the whole header, MAC line included
};

// A fresh random file key. Fails with crypto::Errc::random_failure.
Result<FileKey> generate_file_key();

// Parses the header at the start of `data`; bytes after it are not looked at. Returns
// Errc::header_truncated when `data` ends inside the header (more input may complete it), and
// the other header errors (Errc::unsupported_version, malformed_*, armor_unsupported) when it is
// invalid. Checks syntax only: stanza semantics and the MAC are the caller's.
Result<Header> parse_header(std::span<const std::uint8_t> data);

// The header up to and including "---", the input of the header MAC.
std::string serialize_header_without_mac(std::span<const Stanza> stanzas);

// " <base64 MAC>\n", which follows serialize_header_without_mac().
std::string serialize_mac_suffix(const crypto::Sha256Digest& mac);

// HMAC-SHA-256 under HKDF(file key, info "header") of `mac_input`.
Result<crypto::Sha256Digest> compute_header_mac(const FileKey& file_key, std::span<const std::uint8_t> mac_input);

// Checks `header`'s MAC over its first mac_input_size bytes in `header_bytes` in constant time.
// Fails with Errc::header_mac_mismatch.
Result<void> verify_header_mac(const FileKey& file_key, const Header& header,
                               std::span<const std::uint8_t> header_bytes);

} // namespace supportdrop::age
