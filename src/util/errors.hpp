#pragma once
// Errors as values: every fallible function on a data path returns Result<T>, carrying either
// the value or a boost::system::error_code from a registered error enum.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <cerrno>
#include <string>

namespace supportdrop::util {

using ErrorCode = boost::system::error_code;

template <class T>
using Result = boost::system::result<T, ErrorCode>;

// The error of a failed system call, from errno.
inline ErrorCode last_system_error() {
    return ErrorCode(errno, boost::system::system_category());
}

// Whether `error` says that the disk or the user's quota is full (ENOSPC, EDQUOT, or an error of
// another category that maps to them).
inline bool is_out_of_space(const ErrorCode& error) {
    const auto condition = error.default_error_condition();
    return condition == boost::system::errc::no_space_on_device ||
           condition == boost::system::error_condition(EDQUOT, boost::system::generic_category());
}

// Errors of the encoders and decoders in this module.
enum class Errc {
    invalid_base64 = 1,
    bech32_mixed_case,
    bech32_invalid_character,
    bech32_missing_separator,
    bech32_bad_checksum,
    bech32_bad_padding,
    file_exists,
    already_committed,
};

// An error category whose messages come from a function of the enum, so that each module
// states only its names and messages. Use one static instance per enum.
template <class Enum>
class EnumCategory final : public boost::system::error_category {
public:
    using Describe = const char* (*)(Enum);
    EnumCategory(const char* category_name, Describe describe) : m_name(category_name), m_describe(describe) {}
    const char* name() const noexcept override { return m_name; }
    std::string message(int value) const override { return m_describe(static_cast<Enum>(value)); }

private:
    const char* m_name;
    Describe m_describe;
};

const boost::system::error_category& util_category() noexcept;

inline ErrorCode make_error_code(Errc e) noexcept {
    return ErrorCode(static_cast<int>(e), util_category());
}

} // namespace supportdrop::util

template <>
struct boost::system::is_error_code_enum<supportdrop::util::Errc> : std::true_type {};
