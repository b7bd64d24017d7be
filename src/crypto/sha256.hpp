#pragma once

#include "crypto/errors.hpp"
#include "crypto/hmac.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace supportdrop::crypto {

// Incremental SHA-256. Not thread-safe.
class Sha256 {
public:
    // Fails with Errc::openssl_failure.
    static Result<Sha256> create();

    void update(std::span<const std::uint8_t> data);
    // Returns the digest of everything updated so far; the object is spent afterwards.
    Result<Sha256Digest> finish();

private:
    struct CtxDeleter {
        void operator()(EVP_MD_CTX* ctx) const;
    };
    explicit Sha256(std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx) : m_ctx(std::move(ctx)) {}

    std::unique_ptr<EVP_MD_CTX, CtxDeleter> m_ctx;
    bool m_failed = false;
};

// Lower-case hex of `bytes`.
std::string to_hex(std::span<const std::uint8_t> bytes);

} // namespace supportdrop::crypto
