// Fuzzes the Readme decoder and contact extractor. Beyond "no crash": whatever the bytes, the
// decoded text is valid UTF-8 (decoding it again takes it as UTF-8 unchanged).

#include "inspector/readme.hpp"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace supportdrop::inspector;
    const DecodedText decoded = decode_text({data, size});
    const DecodedText again =
        decode_text({reinterpret_cast<const std::uint8_t*>(decoded.utf8.data()), decoded.utf8.size()});
    if (again.utf8 != decoded.utf8 ||
        (again.encoding != TextEncoding::utf8 && !decoded.utf8.empty() && again.encoding != TextEncoding::utf8_bom)) {
        std::abort();
    }
    const ReadmeFindings findings = examine_readme(decoded.utf8);
    if (findings.contact.name.size() > 200 ||
        findings.has_contact != (!findings.contact.email.empty() || !findings.contact.phone.empty())) {
        std::abort();
    }
    return 0;
}
