#include "crypto/x25519.hpp"

#include "crypto/random.hpp"

#include <openssl/evp.h>

#include <algorithm>
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

} // namespace

Result<X25519PrivateKey> generate_x25519_private_key() {
    X25519PrivateKey key;
    if (auto filled = fill_random(key.bytes()); !filled) {
        return filled.error();
    }
    return key;
}

Result<X25519KeyPair> X25519KeyPair::load(const X25519PrivateKey& private_key) {
    // OpenSSL derives the public key here, as it loads the private one.
    PkeyPtr key(
        EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, private_key.bytes().data(), private_key.bytes().size()));
    X25519PublicKey public_key{};
    std::size_t length = public_key.size();
    if (!key || EVP_PKEY_get_raw_public_key(key.get(), public_key.data(), &length) != 1 ||
        length != public_key.size()) {
        return Errc::openssl_failure;
    }
    return X25519KeyPair(std::shared_ptr<EVP_PKEY>(std::move(key)), public_key);
}

Result<X25519SharedSecret> X25519KeyPair::shared_secret(const X25519PublicKey& peer) const {
    const PkeyPtr peer_key(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer.data(), peer.size()));
    if (!peer_key) {
        return Errc::openssl_failure;
    }
    // The context takes a reference of its own and only reads the key: threads may share it.
    const PkeyCtxPtr ctx(EVP_PKEY_CTX_new(m_key.get(), nullptr));
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
