#pragma once
// The customer-facing site without the transport: routes, pages, admission checks and
// responses. The connection code (connection.hpp) reads requests and streams upload bodies;
// everything it decides about comes from here.

#include "config/config.hpp"
#include "http/client_limits.hpp"
#include "http/csrf.hpp"
#include "http/metrics.hpp"
#include "http/upload_receiver.hpp"
#include "pages/pages.hpp"
#include "pipeline/upload_session.hpp"

#include <boost/beast/http.hpp>

#include <atomic>
#include <optional>
#include <string>
#include <variant>

namespace supportdrop::http {

namespace bhttp = boost::beast::http;
using Response = bhttp::response<bhttp::string_body>;

// Room for the multipart framing around the file data, in a declared or streamed body size.
inline constexpr std::uint64_t k_multipart_overhead = std::uint64_t{64} * 1024;

// What the site needs to know of a request, taken from its header.
struct RequestInfo {
    bhttp::verb method = bhttp::verb::unknown;
    std::string target;
    std::string path;
    std::string client;     // address (behind trusted proxies: the reported one); memory only
    std::string client_key; // what the limits count by
    bool tls = false;
    bool keep_alive = false;
    bool expect_continue = false;
    bool has_body = false;
    std::optional<std::uint64_t> content_length;
    std::string accept;
    std::string accept_language;
    std::string cookie;
    std::string origin;
    std::string sec_fetch_site;
    std::string content_type;
    unsigned version = 11;
};

// How the request's body is framed, as the parser saw it.
struct RequestFraming {
    bool keep_alive = false;
    std::optional<std::uint64_t> content_length;
    bool chunked = false;
};

RequestInfo describe_request(const bhttp::request_header<>& header, const RequestFraming& framing,
                             const std::string& peer, bool tls, const std::vector<std::string>& trusted_proxies);

// An upload that may start: its limiter ticket and where its body goes.
struct UploadAdmission {
    ClientLimits::Ticket ticket;
    std::string boundary;
    unsigned uploads_in_flight = 1; // this one included
};

struct SiteSettings {
    std::string origin; // scheme://host[:port] customers use
    config::Limits limits;
    config::Inspection inspection; // the limits verdict messages name
    pages::ServiceFacts facts;
};

// Thread-safe.
class Site {
public:
    Site(SiteSettings settings, const pipeline::PipelineContext& pipeline, const CsrfGuard& csrf, ClientLimits& limits,
         Metrics& metrics);

    // Everything but an upload body: pages, receipts, static files, errors.
    Response respond(const RequestInfo& request);

    // Whether `request` is the upload endpoint.
    static bool is_upload(const RequestInfo& request);

    // Checks an upload before its body is read: origin and CSRF, media type, declared size,
    // admission limits, disk headroom. Blocking only for the disk check.
    std::variant<UploadAdmission, Refusal> admit_upload(const RequestInfo& request);

    // Uploads admitted and not yet finished, now.
    unsigned uploads_in_flight() const { return m_limits->uploads_in_flight(); }

    const pipeline::PipelineContext& pipeline() const { return *m_pipeline; }
    const config::Limits& limits() const { return m_settings.limits; }

    Response receipt_response(const RequestInfo& request, const pipeline::Receipt& receipt,
                              std::chrono::duration<double> duration);
    Response refusal_response(const RequestInfo& request, const Refusal& refusal);

    // The origin to use in absolute URLs, once the listener is bound (port 0 picks a free port).
    // Call before serving.
    void set_origin(std::string origin) { m_settings.origin = std::move(origin); }
    const std::string& origin() const { return m_settings.origin; }

    // Requests that arrive while shutting down get 503.
    void begin_shutdown() { m_shutting_down = true; }
    bool shutting_down() const { return m_shutting_down; }

private:
    Response page_response(const RequestInfo& request, std::string body, pages::Language language);
    Response upload_page(const RequestInfo& request);
    Response receipt_lookup(const RequestInfo& request, std::string_view token);
    Response static_file(const RequestInfo& request, std::string_view name);
    enum class BodyRead { yes, no };
    void finish(const RequestInfo& request, Response& response, BodyRead body_read = BodyRead::no) const;
    pages::Language language_of(const RequestInfo& request) const;

    SiteSettings m_settings;
    const pipeline::PipelineContext* m_pipeline;
    const CsrfGuard* m_csrf;
    ClientLimits* m_limits;
    Metrics* m_metrics;
    std::atomic<bool> m_shutting_down{false};
};

// Headers every response carries (DESIGN.md section 5, property 6).
void add_security_headers(Response& response, bool tls);

} // namespace supportdrop::http
