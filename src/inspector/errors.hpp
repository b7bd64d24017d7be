#pragma once

#include "util/errors.hpp"

namespace supportdrop::inspector {

using util::ErrorCode;
using util::Result;

// Why an inspection produced no report. The upload is then "could not be processed".
enum class Errc {
    spawn_failed = 1, // the inspector process could not be started
    crashed,          // it died: a signal (seccomp, CPU or memory limit) or a non-zero exit
    timed_out,        // it ran out of its wall-clock budget and was killed
    protocol_error,   // it sent something the protocol does not allow
    bad_report,       // its report did not parse or broke a limit
    read_failed,      // the upload could not be read back for it
    channel_closed,   // the other end of the channel went away
};

const boost::system::error_category& inspector_category() noexcept;

inline ErrorCode make_error_code(Errc e) noexcept {
    return ErrorCode(static_cast<int>(e), inspector_category());
}

} // namespace supportdrop::inspector

template <>
struct boost::system::is_error_code_enum<supportdrop::inspector::Errc> : std::true_type {};
