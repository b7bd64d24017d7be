#include "http/upload_receiver.hpp"

#include <spdlog/spdlog.h>

namespace supportdrop::http {
namespace {

// Form fields other than the file are ignored, but bounded.
constexpr std::size_t k_max_field_bytes = 4096;

// Internal markers for the form-level refusals; they never leave this file.
enum class FormErrc { several_files = 1, field_too_large, no_file };

class FormCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "supportdrop.form"; }
    std::string message(int) const override { return "upload form error"; }
};

const boost::system::error_category& form_category() {
    static const FormCategory category;
    return category;
}

ErrorCode form_error(FormErrc error) {
    return ErrorCode(static_cast<int>(error), form_category());
}

} // namespace

void log_refusal(const Refusal& refusal) {
    const PublicErrorInfo& error = info(refusal.error);
    if (refusal.error == PublicError::could_not_process) {
        spdlog::warn("upload.rejected reason={} status={} incident={} cause=\"{}\"", error.code, error.status,
                     refusal.incident, refusal.cause);
        return;
    }
    // The operator's problem, not the customer's: a warning, with what the system said.
    if (refusal.error == PublicError::storage_failed || refusal.error == PublicError::disk_full) {
        spdlog::warn("upload.rejected reason={} status={} cause=\"{}\"", error.code, error.status, refusal.cause);
        return;
    }
    spdlog::info("upload.rejected reason={} status={}", error.code, error.status);
}

UploadReceiver::UploadReceiver(const pipeline::PipelineContext& context, std::string_view boundary,
                               pipeline::SessionOptions session_options)
    : m_context(&context), m_session_options(std::move(session_options)), m_parser(boundary, *this) {}

void UploadReceiver::share_workspace() {
    m_session_options.write_batch = 0;
    if (m_session) {
        m_session->share_workspace();
    }
}

Refusal UploadReceiver::refusal_for(const ErrorCode& error) const {
    if (error.category() == form_category()) {
        switch (static_cast<FormErrc>(error.value())) {
        case FormErrc::several_files: return {PublicError::several_files, {}, {}};
        case FormErrc::no_file: return {PublicError::no_file, {}, {}};
        case FormErrc::field_too_large: return {PublicError::malformed_upload, {}, {}};
        }
    }
    Refusal refusal(public_error_for(error));
    if (refusal.error == PublicError::not_an_archive && m_session) {
        refusal.detail = std::string(pipeline::other_content_name(m_session->content_type().other));
    }
    if (refusal.error == PublicError::archive_rejected && m_session) {
        refusal.reasons = m_session->verdict().rejections;
        refusal.detail = std::string(pipeline::archive_type_name(*m_session->content_type().archive));
    }
    if (refusal.error == PublicError::could_not_process && m_session) {
        refusal.incident = m_session->incident();
        refusal.cause = m_session->inspection_error().message();
    }
    if ((refusal.error == PublicError::storage_failed || refusal.error == PublicError::disk_full) && m_session &&
        m_session->storage_error()) {
        refusal.cause = m_session->storage_error().message();
    }
    if (refusal.error == PublicError::disk_full) {
        refusal.retry_after = k_disk_full_retry_after;
    }
    return refusal;
}

Result<void> UploadReceiver::on_part_begin(const PartHeaders& headers) {
    if (!headers.filename) {
        m_in_file_part = false;
        return {};
    }
    // A browser sends an empty part with filename="" when no file was chosen.
    if (headers.filename->empty()) {
        return form_error(FormErrc::no_file);
    }
    if (++m_file_parts > 1) {
        return form_error(FormErrc::several_files);
    }
    auto session = pipeline::UploadSession::start(*m_context, m_session_options);
    if (!session) {
        return session.error();
    }
    m_session = std::move(*session);
    m_file_name = *headers.filename;
    m_in_file_part = true;
    return {};
}

Result<void> UploadReceiver::on_part_data(std::span<const std::uint8_t> data, PartBytes where) {
    if (m_in_file_part) {
        // Bytes of the body the caller of feed() keeps until hashed; held-back ones are the parser's.
        return m_session->append(data,
                                 where == PartBytes::fed ? pipeline::Kept::until_hashed : pipeline::Kept::during_call);
    }
    m_field_bytes += data.size();
    if (m_field_bytes > k_max_field_bytes) {
        return form_error(FormErrc::field_too_large);
    }
    return {};
}

Result<void> UploadReceiver::on_part_end() {
    m_in_file_part = false;
    return {};
}

std::optional<Refusal> UploadReceiver::feed(std::span<const std::uint8_t> body) {
    if (m_refusal) {
        return m_refusal;
    }
    if (auto fed = m_parser.feed(body); !fed) {
        m_refusal = refusal_for(fed.error());
        m_session.reset();
    }
    return m_refusal;
}

std::variant<pipeline::Receipt, Refusal> UploadReceiver::finish() {
    if (m_refusal) {
        return *m_refusal;
    }
    if (auto finished = m_parser.finish(); !finished) {
        m_refusal = refusal_for(finished.error());
    } else if (!m_session) {
        m_refusal = refusal_for(form_error(FormErrc::no_file));
    } else if (auto receipt = m_session->finish(m_file_name)) {
        return std::move(*receipt);
    } else {
        m_refusal = refusal_for(receipt.error());
    }
    m_session.reset();
    return *m_refusal;
}

} // namespace supportdrop::http
