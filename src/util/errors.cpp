#include "util/errors.hpp"

#include <string>

namespace supportdrop::util {
namespace {

const char* describe(Errc error) {
    switch (error) {
    case Errc::invalid_base64: return "invalid or non-canonical base64";
    case Errc::bech32_mixed_case: return "Bech32 string mixes upper and lower case";
    case Errc::bech32_invalid_character: return "Bech32 string has an invalid character";
    case Errc::bech32_missing_separator: return "Bech32 string has no '1' separator";
    case Errc::bech32_bad_checksum: return "Bech32 checksum does not match (typo?)";
    case Errc::bech32_bad_padding: return "Bech32 data has invalid padding";
    case Errc::file_exists: return "file exists; refusing to overwrite it";
    case Errc::already_committed: return "file was already committed";
    }
    return "unknown util error";
}

} // namespace

const boost::system::error_category& util_category() noexcept {
    static const EnumCategory<Errc> category("supportdrop.util", describe);
    return category;
}

} // namespace supportdrop::util
