#pragma once
// Turns one multipart/form-data body into one upload: exactly one file part, whose bytes go
// to an UploadSession as they arrive.

#include "http/multipart_parser.hpp"
#include "http/public_error.hpp"
#include "pipeline/upload_session.hpp"

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace supportdrop::http {

// Why a request is refused, with what the message needs.
struct Refusal {
    Refusal(PublicError error_ = PublicError::internal, std::string detail_ = {},
            std::chrono::seconds retry_after_ = {})
        : error(error_), detail(std::move(detail_)), retry_after(retry_after_) {}

    PublicError error;
    std::string detail; // not_an_archive: what the file is ("pdf", ...); archive_rejected: its type
    std::chrono::seconds retry_after;
    std::vector<pipeline::Reason> reasons; // archive_rejected: the verdict's reasons
    std::string incident;                  // could_not_process: names the failure in the log
    std::string cause; // could_not_process, storage_failed, disk_full: what failed, for the log only
};

// Logs the refusal of an upload as an event: code, status, for a failed inspection the incident
// reference and its cause, and for a failure to store what the system reported. Never personal
// data, and not the verdict's reasons (issue 4: the verdict rests only in the sealed manifest; a
// rejected upload has none).
void log_refusal(const Refusal& refusal);

// Blocking (it seals and writes): call it on a worker thread. Destroying it before finish()
// succeeded leaves nothing behind. Not thread-safe.
class UploadReceiver final : private MultipartHandler {
public:
    // The session starts with `session_options` (pipeline::UploadSession::start). With a hash
    // queue there, feed() returns before the bytes are hashed, and the caller keeps the body bytes
    // it gave unchanged until work it offers to the queue after feed() returned has run.
    UploadReceiver(const pipeline::PipelineContext& context, std::string_view boundary,
                   pipeline::SessionOptions session_options = {});

    // Takes the next body bytes; a refusal ends the upload.
    std::optional<Refusal> feed(std::span<const std::uint8_t> body);

    // The body has ended: completes the upload, or says why not.
    std::variant<pipeline::Receipt, Refusal> finish();

    // Its session seals in the work thread's workspace from now on, as those of many uploads at
    // once do (pipeline::UploadSession::share_workspace). Not while feed() runs.
    void share_workspace();

    // Discards what was received so far (the partial upload is removed at once).
    void abandon() { m_session.reset(); }

    // Bytes of file data so far.
    std::uint64_t file_bytes() const { return m_session ? m_session->size() : 0; }

private:
    Result<void> on_part_begin(const PartHeaders& headers) override;
    Result<void> on_part_data(std::span<const std::uint8_t> data, PartBytes where) override;
    Result<void> on_part_end() override;
    Refusal refusal_for(const ErrorCode& error) const;

    const pipeline::PipelineContext* m_context;
    pipeline::SessionOptions m_session_options;
    MultipartParser m_parser;
    std::unique_ptr<pipeline::UploadSession> m_session;
    std::string m_file_name;
    bool m_in_file_part = false;
    std::size_t m_file_parts = 0;
    std::size_t m_field_bytes = 0;
    std::optional<Refusal> m_refusal;
};

} // namespace supportdrop::http
