#pragma once

#include "util/errors.hpp"

namespace supportdrop::pipeline {

using util::ErrorCode;
using util::Result;

// What can go wrong with an upload's content or its storage.
enum class Errc {
    too_large = 1,     // more file data than the configured limit
    empty_file,        // no bytes at all
    not_an_archive,    // the content is not ZIP, RAR, gzip or tar
    storage_failed,    // sealing, writing or recording failed; nothing was kept
    archive_rejected,  // the inspection's verdict is "rejected"
    inspection_failed, // the inspector gave no verdict (crash, budget): could not be processed
    closed,            // the session was already finished or failed
    disk_full,         // like storage_failed, because the disk or quota is full
};

const boost::system::error_category& pipeline_category() noexcept;

inline ErrorCode make_error_code(Errc e) noexcept {
    return ErrorCode(static_cast<int>(e), pipeline_category());
}

} // namespace supportdrop::pipeline

template <>
struct boost::system::is_error_code_enum<supportdrop::pipeline::Errc> : std::true_type {};
