#include "pipeline/identifiers.hpp"

#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "util/base64.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <array>

namespace supportdrop::pipeline {
namespace {

constexpr std::string_view k_crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::string_view k_base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t k_token_bytes = 16;
constexpr std::size_t k_token_chars = 22;

template <std::size_t N>
util::Result<std::array<std::uint8_t, N>> random_array() {
    std::array<std::uint8_t, N> bytes{};
    if (auto filled = crypto::fill_random(bytes); !filled) {
        return filled.error();
    }
    return bytes;
}

} // namespace

util::Result<std::string> mint_upload_id() {
    auto bytes = random_array<16>();
    if (!bytes) {
        return bytes.error();
    }
    return crypto::to_hex(*bytes);
}

util::Result<std::string> mint_reference() {
    return mint_readable_code("SD-");
}

util::Result<std::string> mint_incident_reference() {
    return mint_readable_code("INC-");
}

util::Result<std::string> mint_readable_code(std::string_view prefix) {
    auto bytes = random_array<5>();
    if (!bytes) {
        return bytes.error();
    }
    std::uint64_t bits = 0;
    for (const std::uint8_t b : *bytes) {
        bits = (bits << 8) | b;
    }
    std::string reference(prefix);
    for (int i = 7; i >= 0; --i) {
        reference += k_crockford[(bits >> (5 * i)) & 31];
        if (i == 4) {
            reference += '-';
        }
    }
    return reference;
}

util::Result<std::string> mint_receipt_token() {
    auto bytes = random_array<k_token_bytes>();
    if (!bytes) {
        return bytes.error();
    }
    return util::encode_base64url_unpadded(*bytes);
}

bool is_receipt_token(std::string_view text) {
    return text.size() == k_token_chars &&
           std::ranges::all_of(text, [](char c) { return k_base64url.find(c) != std::string_view::npos; });
}

util::Result<db::ReceiptHash> hash_receipt_token(std::string_view token) {
    auto hash = crypto::Sha256::create();
    if (!hash) {
        return hash.error();
    }
    hash->update(util::bytes_of(token));
    return hash->finish();
}

} // namespace supportdrop::pipeline
