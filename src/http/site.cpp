#include "http/site.hpp"

#include "http/request_fields.hpp"
#include "pipeline/identifiers.hpp"
#include "util/text.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <spdlog/spdlog.h>

namespace supportdrop::http {
namespace {

constexpr std::string_view k_language_cookie = "sd_lang";
constexpr std::string_view k_csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                   "frame-ancestors 'none'; base-uri 'none'";

std::string header(const bhttp::request_header<>& request, bhttp::field field) {
    return std::string(request[field]);
}

Response make_response(const RequestInfo& request, bhttp::status status, std::string_view content_type,
                       std::string body) {
    Response response{status, request.version};
    response.set(bhttp::field::content_type, content_type);
    response.body() = std::move(body);
    return response;
}

} // namespace

void add_security_headers(Response& response, bool tls) {
    response.set("Content-Security-Policy", k_csp);
    response.set("X-Content-Type-Options", "nosniff");
    response.set(bhttp::field::x_frame_options, "DENY");
    response.set("Referrer-Policy", "no-referrer");
    response.set("Cross-Origin-Opener-Policy", "same-origin");
    response.set("Cross-Origin-Resource-Policy", "same-origin");
    response.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (tls) {
        response.set(bhttp::field::strict_transport_security, "max-age=63072000; includeSubDomains");
    }
}

RequestInfo describe_request(const bhttp::request_header<>& header_fields, const RequestFraming& framing,
                             const std::string& peer, bool tls, const std::vector<std::string>& trusted_proxies) {
    RequestInfo request;
    request.method = header_fields.method();
    request.target = std::string(header_fields.target());
    request.path = std::string(target_path(request.target));
    request.client =
        client_address(peer, trusted_proxies, header_fields["X-Forwarded-For"], header_fields[bhttp::field::forwarded]);
    request.client_key = client_key(request.client);
    request.tls = tls;
    request.keep_alive = framing.keep_alive;
    request.version = header_fields.version();
    const auto expect = header_fields[bhttp::field::expect];
    request.expect_continue = boost::beast::iequals(expect, "100-continue");
    request.content_length = framing.content_length;
    request.has_body = framing.chunked || framing.content_length.value_or(0) > 0;
    request.accept = header(header_fields, bhttp::field::accept);
    request.accept_language = header(header_fields, bhttp::field::accept_language);
    request.cookie = header(header_fields, bhttp::field::cookie);
    request.origin = header(header_fields, bhttp::field::origin);
    request.sec_fetch_site = std::string(header_fields["Sec-Fetch-Site"]);
    request.content_type = header(header_fields, bhttp::field::content_type);
    return request;
}

Site::Site(SiteSettings settings, const pipeline::PipelineContext& pipeline, const CsrfGuard& csrf,
           ClientLimits& limits, Metrics& metrics)
    : m_settings(std::move(settings)), m_pipeline(&pipeline), m_csrf(&csrf), m_limits(&limits), m_metrics(&metrics) {}

bool Site::is_upload(const RequestInfo& request) {
    return request.method == bhttp::verb::post && request.path == "/upload";
}

pages::Language Site::language_of(const RequestInfo& request) const {
    return pages::choose_language(query_parameter(request.target, "lang"),
                                  cookie_value(request.cookie, k_language_cookie), request.accept_language);
}

void Site::finish(const RequestInfo& request, Response& response, BodyRead body_read) const {
    add_security_headers(response, request.tls);
    if (const auto chosen = pages::language_from_code(query_parameter(request.target, "lang"))) {
        response.insert(bhttp::field::set_cookie,
                        std::string(k_language_cookie) + "=" + std::string(pages::language_code(*chosen)) +
                            "; Path=/; Max-Age=31536000; SameSite=Lax" + (request.tls ? "; Secure" : ""));
    }
    // A request body this site does not read cannot be skipped safely: close after answering.
    const bool unread_body = request.has_body && body_read == BodyRead::no;
    response.keep_alive(request.keep_alive && response.keep_alive() && !unread_body);
    response.prepare_payload();
    if (request.method == bhttp::verb::head) {
        const auto size = response.body().size();
        response.body().clear();
        response.content_length(size);
    }
}

Response Site::page_response(const RequestInfo& request, std::string body, pages::Language language) {
    Response response = make_response(request, bhttp::status::ok, "text/html; charset=utf-8", std::move(body));
    response.set(bhttp::field::content_language, pages::language_code(language));
    response.set(bhttp::field::cache_control, "no-store");
    response.set(bhttp::field::vary, "Accept-Language, Cookie");
    return response;
}

Response Site::respond(const RequestInfo& request) {
    const bool readable = request.method == bhttp::verb::get || request.method == bhttp::verb::head;
    Response response;
    if (m_shutting_down) {
        return refusal_response(request, {PublicError::shutting_down, {}, std::chrono::seconds(30)});
    }
    if (request.path == "/upload") {
        response = refusal_response(request, {PublicError::method_not_allowed, {}, {}});
        response.set(bhttp::field::allow, "POST");
        return response;
    }
    const bool known = request.path == "/" || request.path == "/privacy" || request.path.starts_with("/receipt/") ||
                       request.path.starts_with("/static/");
    if (!known) {
        return refusal_response(request, {PublicError::not_found, {}, {}});
    }
    if (!readable) {
        response = refusal_response(request, {PublicError::method_not_allowed, {}, {}});
        response.set(bhttp::field::allow, "GET, HEAD");
        return response;
    }
    const pages::PageFrame frame{language_of(request), request.path};
    if (request.path == "/") {
        response = upload_page(request);
    } else if (request.path == "/privacy") {
        response = page_response(request, pages::privacy_page(frame, m_settings.facts), frame.language);
    } else if (request.path.starts_with("/receipt/")) {
        response = receipt_lookup(request, std::string_view(request.path).substr(9));
    } else {
        response = static_file(request, std::string_view(request.path).substr(8));
    }
    finish(request, response);
    return response;
}

Response Site::upload_page(const RequestInfo& request) {
    const pages::PageFrame frame{language_of(request), request.path};
    std::string cookie(cookie_value(request.cookie, k_csrf_cookie));
    bool new_cookie = false;
    if (cookie.empty() || cookie.size() > 64) {
        auto fresh = m_csrf->new_cookie_value();
        if (!fresh) {
            return refusal_response(request, {PublicError::internal, {}, {}});
        }
        cookie = std::move(*fresh);
        new_cookie = true;
    }
    Response response =
        page_response(request, pages::upload_page(frame, m_settings.facts, m_csrf->token_for(cookie)), frame.language);
    if (new_cookie) {
        response.insert(bhttp::field::set_cookie, std::string(k_csrf_cookie) + "=" + cookie +
                                                      "; Path=/; HttpOnly; SameSite=Strict" +
                                                      (request.tls ? "; Secure" : ""));
    }
    return response;
}

namespace {

pages::MessageParameters reason_parameters(const config::Inspection& inspection, pages::Language language) {
    return {
        {"max_entries", std::to_string(inspection.max_entries)},
        {"max_total_mb", pages::format_megabytes(language, inspection.max_total_bytes)},
        {"max_unpacked_mb", pages::format_megabytes(language, inspection.max_unpacked_bytes)},
    };
}

// The reasons as JSON: code, message and what to do, in the request's language.
boost::json::array reasons_json(pages::Language language, const std::vector<pipeline::Reason>& reasons,
                                const pages::MessageParameters& parameters) {
    boost::json::array items;
    for (const pipeline::Reason reason : reasons) {
        const std::string prefix = "reason." + std::string(pipeline::reason_code(reason));
        items.push_back(boost::json::object{
            {"code", pipeline::reason_code(reason)},
            {"message", pages::text(language, prefix + ".message", parameters)},
            {"advice", pages::text(language, prefix + ".advice", parameters)},
        });
    }
    return items;
}

std::vector<std::string> reason_codes(const std::vector<pipeline::Reason>& reasons) {
    std::vector<std::string> codes;
    codes.reserve(reasons.size());
    for (const pipeline::Reason reason : reasons) {
        codes.emplace_back(pipeline::reason_code(reason));
    }
    return codes;
}

} // namespace

Response Site::receipt_lookup(const RequestInfo& request, std::string_view token) {
    if (!pipeline::is_receipt_token(token)) {
        return refusal_response(request, {PublicError::not_found, {}, {}});
    }
    auto hash = pipeline::hash_receipt_token(token);
    auto record = hash ? m_pipeline->metadata->find_by_receipt(*hash)
                       : util::Result<std::optional<db::UploadRecord>>(hash.error());
    if (!record) {
        spdlog::error("receipt.lookup_failed error=\"{}\"", record.error().message());
        return refusal_response(request, {PublicError::internal, {}, {}});
    }
    if (!*record) {
        return refusal_response(request, {PublicError::not_found, {}, {}});
    }
    // The type was written by this server; an unknown name is a damaged row, not a ZIP.
    const auto archive_type = pipeline::archive_type_from_name((*record)->archive_type);
    if (!archive_type) {
        spdlog::error("receipt.lookup_failed error=\"unknown archive type in the database\"");
        return refusal_response(request, {PublicError::internal, {}, {}});
    }
    pipeline::Receipt receipt;
    receipt.reference = (*record)->reference;
    receipt.receipt_token = std::string(token);
    receipt.archive_type = *archive_type;
    receipt.size = (*record)->size;
    receipt.sha256 = (*record)->sha256;
    receipt.received_at = std::chrono::system_clock::from_time_t((*record)->received_at);
    Response response = receipt_response(request, receipt, {});
    response.result(bhttp::status::ok);
    response.erase(bhttp::field::location);
    return response;
}

Response Site::static_file(const RequestInfo& request, std::string_view name) {
    static constexpr std::pair<std::string_view, std::string_view> files[] = {
        {"style.css", "text/css; charset=utf-8"},
        {"favicon.svg", "image/svg+xml"},
    };
    const auto* file = std::ranges::find(files, name, &std::pair<std::string_view, std::string_view>::first);
    if (file == std::end(files)) {
        return refusal_response(request, {PublicError::not_found, {}, {}});
    }
    Response response = make_response(request, bhttp::status::ok, file->second, std::string(pages::asset(name)));
    response.set(bhttp::field::cache_control, "public, max-age=3600");
    return response;
}

std::variant<UploadAdmission, Refusal> Site::admit_upload(const RequestInfo& request) {
    if (m_shutting_down) {
        return Refusal{PublicError::shutting_down, {}, std::chrono::seconds(30)};
    }
    // A browser always says where a request comes from; non-browser clients (curl) cannot be
    // tricked into cross-site requests and carry no cookie of ours. Under our
    // "Referrer-Policy: no-referrer" browsers send "Origin: null" even for same-origin POSTs
    // (Fetch standard, "serializing a request origin"), so "null" decides nothing: then
    // Sec-Fetch-Site and the CSRF token do.
    const bool foreign_site =
        !request.sec_fetch_site.empty() && request.sec_fetch_site != "same-origin" && request.sec_fetch_site != "none";
    const bool foreign_origin =
        !request.origin.empty() && request.origin != "null" && request.origin != m_settings.origin;
    if (foreign_origin || foreign_site) {
        return Refusal{PublicError::foreign_origin, {}, {}};
    }
    const bool from_browser = !request.origin.empty() || !request.sec_fetch_site.empty() || !request.cookie.empty();
    if (from_browser &&
        !m_csrf->verify(cookie_value(request.cookie, k_csrf_cookie), query_parameter(request.target, "csrf"))) {
        return Refusal{PublicError::csrf_failed, {}, {}};
    }
    auto boundary = boundary_from_content_type(request.content_type);
    if (!boundary) {
        return Refusal{PublicError::not_multipart, {}, {}};
    }
    if (request.content_length && *request.content_length > m_settings.limits.max_upload_bytes + k_multipart_overhead) {
        return Refusal{PublicError::too_large, {}, {}};
    }
    auto admission = m_limits->admit_upload(request.client_key);
    if (admission.refusal != ClientLimits::Refusal::none) {
        return Refusal{PublicError::too_many_uploads, {}, admission.retry_after};
    }
    auto available = m_pipeline->store->available_bytes();
    if (!available || *available < m_settings.limits.min_free_disk_bytes + m_settings.limits.max_upload_bytes) {
        Refusal refusal{PublicError::disk_full, {}, k_disk_full_retry_after};
        refusal.cause = available
                            ? std::to_string(*available) + " bytes free, less than the headroom and a whole upload"
                            : "free space unknown: " + available.error().message();
        return refusal;
    }
    return UploadAdmission{std::move(admission.ticket), std::move(*boundary), m_limits->uploads_in_flight()};
}

Response Site::receipt_response(const RequestInfo& request, const pipeline::Receipt& receipt,
                                std::chrono::duration<double> duration) {
    const std::string receipt_url = m_settings.origin + "/receipt/" + receipt.receipt_token;
    const pages::Language language = language_of(request);
    pages::MessageParameters parameters = reason_parameters(m_settings.inspection, language);
    parameters["type"] =
        pages::text(language, "type." + std::string(pipeline::archive_type_name(receipt.archive_type)));
    const std::vector<std::string> warning_codes = reason_codes(receipt.warnings);
    Response response;
    if (wants_json(request.accept)) {
        boost::json::object body = {
            {"reference", receipt.reference},
            {"receipt_url", receipt_url},
            {"archive_type", pipeline::archive_type_name(receipt.archive_type)},
            {"size", receipt.size},
            {"sha256", receipt.sha256},
            {"received_at", util::format_utc(receipt.received_at)},
        };
        if (receipt.inspection) {
            body["inspection"] = {
                {"entries", receipt.inspection->entries},
                {"readme_found", receipt.inspection->readme_found},
                {"contact_found", receipt.inspection->contact_found},
                {"encrypted", receipt.inspection->encrypted},
                {"warnings", reasons_json(language, receipt.warnings, parameters)},
            };
        }
        response =
            make_response(request, bhttp::status::created, "application/json", boost::json::serialize(body) + "\n");
        response.set(bhttp::field::cache_control, "no-store");
    } else {
        const pages::PageFrame frame{language, "/receipt/" + receipt.receipt_token};
        std::optional<pages::ReceiptFindings> findings;
        if (receipt.inspection) {
            findings = pages::ReceiptFindings{receipt.inspection->entries, receipt.inspection->readme_found,
                                              receipt.inspection->contact_found, receipt.inspection->encrypted};
        }
        const pages::ReceiptView view{
            receipt.reference,   std::string(pipeline::archive_type_name(receipt.archive_type)),
            receipt.size,        receipt.sha256,
            receipt.received_at, findings,
            warning_codes,       parameters,
            receipt_url};
        response = page_response(request, pages::receipt_page(frame, view), frame.language);
        response.result(bhttp::status::created);
    }
    response.set(bhttp::field::location, "/receipt/" + receipt.receipt_token);
    if (duration.count() > 0) {
        m_metrics->upload_accepted(receipt.size, duration);
    }
    finish(request, response, BodyRead::yes);
    return response;
}

Response Site::refusal_response(const RequestInfo& request, const Refusal& refusal) {
    const PublicErrorInfo& error = info(refusal.error);
    const pages::Language language = language_of(request);
    pages::MessageParameters parameters = {
        {"max_mb", pages::format_megabytes(language, m_settings.limits.max_upload_bytes)},
        {"retry_after", std::to_string(refusal.retry_after.count())},
    };
    if (refusal.error == PublicError::archive_rejected) {
        parameters.merge(reason_parameters(m_settings.inspection, language));
        parameters["type"] = pages::text(language, "type." + refusal.detail);
    } else if (!refusal.detail.empty()) {
        parameters["kind"] = pages::text(language, "kind." + refusal.detail);
    }
    if (!refusal.incident.empty()) {
        parameters["incident"] = refusal.incident;
    }
    Response response;
    if (wants_json(request.accept)) {
        const std::string prefix = "error." + std::string(error.code);
        boost::json::object details = {
            {"code", error.code},
            {"message", pages::text(language, prefix + ".message", parameters)},
            {"advice", pages::text(language, prefix + ".advice", parameters)},
        };
        if (!refusal.reasons.empty()) {
            details["reasons"] = reasons_json(language, refusal.reasons, parameters);
        }
        if (!refusal.incident.empty()) {
            details["incident"] = refusal.incident;
        }
        const boost::json::object body = {{"error", std::move(details)}};
        response = make_response(request, static_cast<bhttp::status>(error.status), "application/json",
                                 boost::json::serialize(body) + "\n");
    } else {
        // The language switch links back to the page: only to one of ours, never to a path the
        // client made up ("//elsewhere.example").
        const bool own_page = request.path == "/privacy" || request.path.starts_with("/receipt/");
        const pages::PageFrame frame{language,
                                     own_page && request.path.find("//") == std::string::npos ? request.path : "/"};
        response = make_response(request, static_cast<bhttp::status>(error.status), "text/html; charset=utf-8",
                                 pages::error_page(frame, error.code, parameters, reason_codes(refusal.reasons)));
    }
    response.set(bhttp::field::content_language, pages::language_code(language));
    response.set(bhttp::field::cache_control, "no-store");
    if (refusal.retry_after.count() > 0) {
        response.set(bhttp::field::retry_after, std::to_string(refusal.retry_after.count()));
    }
    if (is_upload(request) || error.status >= 500 || error.status == 408 || error.status == 431 || request.has_body) {
        response.keep_alive(false);
    }
    if (is_upload(request) || error.status == 429 || error.status == 507) {
        m_metrics->upload_rejected(refusal.error);
    }
    finish(request, response);
    return response;
}

} // namespace supportdrop::http
