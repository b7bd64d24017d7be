#include "crypto/chacha20_poly1305.hpp"
#include "crypto/hkdf.hpp"
#include "crypto/hmac.hpp"
#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "crypto/x25519.hpp"
#include "util/text.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace supportdrop::crypto {
namespace {

std::vector<std::uint8_t> from_hex(std::string_view hex) {
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        bytes.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    }
    return bytes;
}

template <std::size_t N>
Secret<N> secret_from_hex(std::string_view hex) {
    const auto raw = from_hex(hex);
    return Secret<N>(std::span<const std::uint8_t, N>(raw.data(), N));
}

X25519PublicKey public_from_hex(std::string_view hex) {
    X25519PublicKey key{};
    std::ranges::copy(from_hex(hex), key.begin());
    return key;
}

TEST(Sha256, MatchesFips180Vector) {
    auto hash = Sha256::create();
    ASSERT_TRUE(hash);
    hash->update(util::bytes_of("a"));
    hash->update(util::bytes_of("bc"));
    EXPECT_EQ(to_hex(hash->finish().value()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HmacSha256, MatchesRfc4231TestCase2) {
    EXPECT_EQ(to_hex(hmac_sha256(util::bytes_of("Jefe"), util::bytes_of("what do ya want for nothing?")).value()),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HkdfSha256, MatchesRfc5869TestCase1) {
    const auto ikm = from_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    const auto salt = from_hex("000102030405060708090a0b0c");
    const auto info = from_hex("f0f1f2f3f4f5f6f7f8f9");
    std::vector<std::uint8_t> okm(42);
    ASSERT_TRUE(hkdf_sha256(ikm, salt, {reinterpret_cast<const char*>(info.data()), info.size()}, okm));
    EXPECT_EQ(to_hex(okm), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(X25519, MatchesRfc7748Section6_1) {
    const auto alice = secret_from_hex<32>("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const auto bob = secret_from_hex<32>("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    const auto alice_pair = X25519KeyPair::load(alice).value();
    EXPECT_EQ(to_hex(alice_pair.public_key()), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    const auto bob_pair = X25519KeyPair::load(bob).value();
    EXPECT_EQ(to_hex(bob_pair.public_key()), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    EXPECT_EQ(to_hex(alice_pair.shared_secret(bob_pair.public_key()).value().bytes()),
              "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    EXPECT_EQ(to_hex(bob_pair.shared_secret(alice_pair.public_key()).value().bytes()),
              "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}

TEST(X25519, KeyPairCopiesAndMovesShareTheLoadedKey) {
    const auto alice = X25519KeyPair::load(generate_x25519_private_key().value()).value();
    const auto bob = X25519KeyPair::load(generate_x25519_private_key().value()).value();
    const auto expected = to_hex(alice.shared_secret(bob.public_key()).value().bytes());
    X25519KeyPair copy = alice;
    X25519KeyPair moved = std::move(copy);
    X25519KeyPair assigned = bob;
    assigned = moved;
    EXPECT_EQ(assigned.public_key(), alice.public_key());
    EXPECT_EQ(to_hex(assigned.shared_secret(bob.public_key()).value().bytes()), expected);
    EXPECT_EQ(to_hex(moved.shared_secret(bob.public_key()).value().bytes()), expected);
}

TEST(X25519, RejectsLowOrderPoints) {
    const auto key = X25519KeyPair::load(generate_x25519_private_key().value()).value();
    const X25519PublicKey zero{};
    EXPECT_EQ(key.shared_secret(zero).error(), Errc::low_order_point);
    // A point of order 8, one of the low-order points libsodium blocks.
    const auto order8 = public_from_hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
    EXPECT_EQ(key.shared_secret(order8).error(), Errc::low_order_point);
}

TEST(ChaCha20Poly1305, SealsAndOpensInPlaceAndDetectsTampering) {
    std::array<std::uint8_t, k_aead_key_size> key{};
    ASSERT_TRUE(fill_random(key));
    const std::array<std::uint8_t, k_aead_nonce_size> nonce{1, 2, 3};
    auto sealer = ChaCha20Poly1305::create(key, AeadDirection::seal).value();
    auto opener = ChaCha20Poly1305::create(key, AeadDirection::open).value();

    std::vector<std::uint8_t> buffer = {'s', 'e', 'c', 'r', 'e', 't'};
    const std::vector<std::uint8_t> plaintext = buffer;
    buffer.resize(plaintext.size() + k_aead_tag_size);
    ASSERT_TRUE(sealer.seal(nonce, std::span(buffer).first(plaintext.size()), buffer));
    EXPECT_NE(std::vector(buffer.begin(), buffer.begin() + 6), plaintext);

    std::vector<std::uint8_t> opened(plaintext.size());
    ASSERT_TRUE(opener.open(nonce, buffer, opened));
    EXPECT_EQ(opened, plaintext);

    buffer[0] ^= 1;
    EXPECT_FALSE(opener.open(nonce, buffer, opened));
    buffer[0] ^= 1;
    const std::array<std::uint8_t, k_aead_nonce_size> other_nonce{1, 2, 4};
    EXPECT_FALSE(opener.open(other_nonce, buffer, opened));
    EXPECT_FALSE(opener.open(nonce, std::span(buffer).first(k_aead_tag_size - 1), opened));
}

TEST(ConstantTimeCompare, ComparesLengthAndContent) {
    EXPECT_TRUE(equal_constant_time(util::bytes_of("abc"), util::bytes_of("abc")));
    EXPECT_FALSE(equal_constant_time(util::bytes_of("abc"), util::bytes_of("abd")));
    EXPECT_FALSE(equal_constant_time(util::bytes_of("abc"), util::bytes_of("ab")));
}

} // namespace
} // namespace supportdrop::crypto
