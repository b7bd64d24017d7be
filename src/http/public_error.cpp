#include "http/public_error.hpp"

#include "http/multipart_parser.hpp"
#include "pipeline/errors.hpp"

namespace supportdrop::http {

static_assert(
    [] {
        for (std::size_t i = 0; i < std::size(k_public_errors); ++i) {
            if (static_cast<std::size_t>(k_public_errors[i].error) != i) {
                return false;
            }
        }
        return true;
    }(),
    "k_public_errors must list every PublicError in enum order");

PublicError public_error_for(const util::ErrorCode& error) {
    if (error.category() == pipeline::pipeline_category()) {
        switch (static_cast<pipeline::Errc>(error.value())) {
        case pipeline::Errc::too_large: return PublicError::too_large;
        case pipeline::Errc::empty_file: return PublicError::empty_file;
        case pipeline::Errc::not_an_archive: return PublicError::not_an_archive;
        case pipeline::Errc::storage_failed: return PublicError::storage_failed;
        case pipeline::Errc::archive_rejected: return PublicError::archive_rejected;
        case pipeline::Errc::inspection_failed: return PublicError::could_not_process;
        case pipeline::Errc::closed: return PublicError::internal;
        case pipeline::Errc::disk_full: return PublicError::disk_full;
        }
    }
    if (error.category() == multipart_category()) {
        return static_cast<MultipartErrc>(error.value()) == MultipartErrc::missing_boundary
                   ? PublicError::not_multipart
                   : PublicError::malformed_upload;
    }
    return PublicError::internal;
}

} // namespace supportdrop::http
