#include "crypto/x25519.hpp"

#include "crypto/random.hpp"

#include <openssl/evp.h>

#include <memory>

namespace supportdrop::crypto {
namespace {

struct PkeyDeleter {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct PkeyCtxDeleter {
    void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;

PkeyPtr load_private(const X25519PrivateKey& key) {
    return PkeyPtr(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, key.bytes().data(), key.bytes().size()));
}

} // namespace

Result<X25519PrivateKey> generate_x25519_private_key() {
    X25519PrivateKey key;
    if (auto filled = fill_random(key.bytes()); !filled) {
        return filled.error();
    }
    return key;
}

Result<X25519PublicKey> x25519_public_key(const X25519PrivateKey& private_key) {
    const PkeyPtr key = load_private(private_key);
    X25519PublicKey public_key{};
    std::size_t length = public_key.size();
    if (!key || EVP_PKEY_get_raw_public_key(key.get(), public_key.data(), &length) != 1 ||
        length != public_key.size()) {
        return Errc::openssl_failure;
    }
    return public_key;
}

Result<X25519SharedSecret> x25519_shared_secret(const X25519PrivateKey& private_key, const X25519PublicKey& peer) {
    const PkeyPtr key = load_private(private_key);
    const PkeyPtr peer_key(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer.data(), peer.size()));
    if (!key || !peer_key) {
        return Errc::openssl_failure;
    }
    const PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer_key.get()) != 1) {
        return Errc::openssl_failure;
    }
    X25519SharedSecret secret;
    std::size_t length = secret.bytes().size();
    // OpenSSL refuses to return the all-zero secret of a low-order point (RFC 7748 section 6.1).
    if (EVP_PKEY_derive(ctx.get(), secret.bytes().data(), &length) != 1) {
        return Errc::low_order_point;
    }
    const std::array<std::uint8_t, k_x25519_key_size> zeros{};
    if (length != secret.bytes().size() || std::equal(zeros.begin(), zeros.end(), secret.bytes().begin())) {
        return Errc::low_order_point;
    }
    return secret;
}

} // namespace supportdrop::crypto
