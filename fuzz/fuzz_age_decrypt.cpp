// Fuzzes the whole streaming decryption (header, stanza unwrapping, MAC, STREAM) with the C2SP
// test identity, so seeds from the test vectors reach the payload.

#include "age/decryptor.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace supportdrop;
    static const auto identity =
        age::X25519Identity::parse("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0")
            .value();
    util::SpanSource source({data, size});
    auto decryptor = age::Decryptor::open(source, std::span(&identity, 1));
    if (!decryptor) {
        return 0;
    }
    for (;;) {
        auto chunk = decryptor->read_chunk();
        if (!chunk || chunk->empty()) {
            return 0;
        }
    }
}
