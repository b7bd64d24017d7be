// Fuzzes the age header parser. Beyond "no crash", checks that parsing is canonical: a header
// that parses re-serializes to exactly the bytes it was parsed from.

#include "age/header.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace supportdrop::age;
    auto header = parse_header({data, size});
    if (!header) {
        return 0;
    }
    const std::string again = serialize_header_without_mac(header->stanzas) + serialize_mac_suffix(header->mac);
    const std::size_t mac_suffix_size = serialize_mac_suffix(header->mac).size();
    if (again.size() != header->size || std::memcmp(again.data(), data, again.size()) != 0 ||
        header->mac_input_size != header->size - mac_suffix_size) {
        std::abort();
    }
    return 0;
}
