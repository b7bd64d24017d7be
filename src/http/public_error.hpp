#pragma once
// Every error a client can see: one table with its public code (also the message key) and HTTP
// status, and one mapping from internal error codes to it.

#include "util/errors.hpp"

#include <chrono>
#include <string_view>

namespace supportdrop::http {

enum class PublicError {
    too_large,
    empty_file,
    not_an_archive,
    archive_rejected,
    could_not_process,
    no_file,
    several_files,
    malformed_upload,
    not_multipart,
    csrf_failed,
    foreign_origin,
    storage_failed,
    too_many_uploads,
    too_many_connections,
    disk_full,
    timeout,
    headers_too_large,
    method_not_allowed,
    not_found,
    bad_request,
    shutting_down,
    internal,
};

struct PublicErrorInfo {
    PublicError error;
    std::string_view code; // stable, in JSON and logs; "error.<code>.*" are its message keys
    unsigned status;
};

inline constexpr PublicErrorInfo k_public_errors[] = {
    {PublicError::too_large, "too_large", 413},
    {PublicError::empty_file, "empty_file", 422},
    {PublicError::not_an_archive, "not_an_archive", 415},
    {PublicError::archive_rejected, "archive_rejected", 422},
    {PublicError::could_not_process, "could_not_process", 422},
    {PublicError::no_file, "no_file", 400},
    {PublicError::several_files, "several_files", 400},
    {PublicError::malformed_upload, "malformed_upload", 400},
    {PublicError::not_multipart, "not_multipart", 415},
    {PublicError::csrf_failed, "csrf_failed", 403},
    {PublicError::foreign_origin, "foreign_origin", 403},
    {PublicError::storage_failed, "storage_failed", 500},
    {PublicError::too_many_uploads, "too_many_uploads", 429},
    {PublicError::too_many_connections, "too_many_connections", 429},
    {PublicError::disk_full, "disk_full", 507},
    {PublicError::timeout, "timeout", 408},
    {PublicError::headers_too_large, "headers_too_large", 431},
    {PublicError::method_not_allowed, "method_not_allowed", 405},
    {PublicError::not_found, "not_found", 404},
    {PublicError::bad_request, "bad_request", 400},
    {PublicError::shutting_down, "shutting_down", 503},
    {PublicError::internal, "internal", 500},
};

constexpr const PublicErrorInfo& info(PublicError error) {
    return k_public_errors[static_cast<std::size_t>(error)];
}

// The public error for an internal error code (pipeline and multipart errors); anything
// unexpected is PublicError::internal.
PublicError public_error_for(const util::ErrorCode& error);

// Retry-After for disk_full: space comes back as staff collect uploads, in minutes, not seconds.
inline constexpr std::chrono::seconds k_disk_full_retry_after{300};

} // namespace supportdrop::http
