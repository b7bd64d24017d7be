#pragma once
// One coroutine per connection: reads each request's header under a deadline, answers small
// requests from the Site, and streams upload bodies through an UploadReceiver on the worker
// pool. Templates over the stream type (plain TCP or TLS); instantiated in server.cpp.

#include "http/body_feeder.hpp"
#include "http/body_source.hpp"
#include "http/run_on.hpp"
#include "http/site.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <memory>
#include <spdlog/spdlog.h>

namespace supportdrop::http {

namespace asio = boost::asio;
namespace beast = boost::beast;

struct ConnectionContext {
    Site* site = nullptr;
    asio::thread_pool* workers = nullptr;     // hashing, sealing, pages: CPU work that never waits long
    asio::thread_pool* inspections = nullptr; // finishing uploads: waits for the inspector process
    std::vector<std::string> trusted_proxies;
};

inline constexpr std::chrono::seconds k_write_timeout{30};

// Writes `response`; false if that failed.
template <class Stream>
asio::awaitable<bool> write_response(Stream& stream, Response& response) {
    beast::get_lowest_layer(stream).expires_after(k_write_timeout);
    beast::error_code error;
    co_await bhttp::async_write(stream, response, asio::redirect_error(asio::use_awaitable, error));
    co_return !error;
}

// Answers a refused upload, then reads and discards what the client still sends for a bounded
// time and amount, so that a browser sees the answer instead of a connection reset (as
// nginx's lingering close does).
template <class Stream>
asio::awaitable<void> refuse_and_drain(Stream& stream, Site& site, const RequestInfo& request, const Refusal& refusal,
                                       bool body_complete) {
    Response response = site.refusal_response(request, refusal);
    log_refusal(refusal);
    if (!co_await write_response(stream, response) || body_complete) {
        co_return;
    }
    const config::Limits& limits = site.limits();
    beast::get_lowest_layer(stream).expires_after(limits.drain_timeout);
    std::vector<std::uint8_t> scratch(k_body_buffer_size);
    std::uint64_t drained = 0;
    while (drained < limits.drain_max_bytes) {
        beast::error_code error;
        const std::size_t n =
            co_await stream.async_read_some(asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, error));
        if (error) {
            break;
        }
        drained += n;
    }
}

// Streams one upload body. Returns whether the connection may serve another request.
template <class Stream>
asio::awaitable<bool> handle_upload(Stream& stream, beast::flat_buffer& buffer,
                                    bhttp::request_parser<bhttp::buffer_body>& parser, ConnectionContext& context,
                                    const RequestInfo& request) {
    Site& site = *context.site;
    const auto started = std::chrono::steady_clock::now();
    auto admission = co_await run_on(*context.workers, [&] { return site.admit_upload(request); });
    if (const Refusal* refusal = std::get_if<Refusal>(&admission)) {
        co_await refuse_and_drain(stream, site, request, *refusal, !request.has_body);
        co_return false;
    }
    UploadAdmission admitted = std::move(std::get<UploadAdmission>(admission));
    beast::error_code error;
    if (request.expect_continue) {
        bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, request.version};
        beast::get_lowest_layer(stream).expires_after(k_write_timeout);
        co_await bhttp::async_write(stream, proceed, asio::redirect_error(asio::use_awaitable, error));
        if (error) {
            co_return false;
        }
    }
    const config::Limits& limits = site.limits();
    BodySource<Stream> body(stream, buffer, parser, limits.max_upload_bytes + k_multipart_overhead);
    BodyBuffers sizing = body_buffers(admitted.uploads_in_flight);
    sizing.populated = populate_buffers(admitted.uploads_in_flight, request.content_length);
    BodyFeeder<UploadReceiver> feeder(stream.get_executor(), *context.workers, sizing);
    UploadReceiver receiver(
        site.pipeline(), admitted.boundary,
        {.hash_queue = feeder.hash_queue(),
         .write_batch = sizing.write_batch,
         .archive_caching = archive_caching(admitted.uploads_in_flight),
         .inspect_while_arriving = inspect_while_arriving(admitted.uploads_in_flight, request.content_length),
         .populate_buffers = sizing.populated,
         .size_at_most = request.content_length});
    const auto deadline = started + limits.upload_timeout;
    auto window_start = started;
    std::uint64_t window_bytes = 0;
    std::optional<Refusal> refusal;

    // Fills `chunk` with body bytes, read by read as they arrive, until it is full or the body has
    // ended: the worker pool is handed whole buffers, not every small read. A read that brings
    // nothing for a whole rate window ends the connection (the timer closes the socket); a trickle
    // below the minimum rate is refused with 408 at the end of its window, and so is an upload
    // still running at its deadline.
    const auto fill = [&](std::span<std::uint8_t> chunk) -> asio::awaitable<std::pair<beast::error_code, std::size_t>> {
        std::size_t filled = 0;
        beast::error_code read_error;
        // A trickle ends the filling at the end of its rate window, to be measured there.
        const auto until = std::min(deadline, window_start + limits.min_upload_rate_window);
        while (filled < chunk.size() && !body.done() && std::chrono::steady_clock::now() < until) {
            beast::get_lowest_layer(stream).expires_after(limits.min_upload_rate_window);
            std::size_t n = 0;
            std::tie(read_error, n) = co_await body.read_some(chunk.subspan(filled));
            filled += n;
            if (read_error) {
                break;
            }
        }
        co_return std::pair{read_error, filled};
    };

    // An upload that began among few holds more memory than one of many: once many are in flight,
    // it makes do with as much (a burst would otherwise find the first four uploads holding
    // 5 MiB of buffers and batches).
    bool holds_more_than_one_of_many = admitted.uploads_in_flight <= k_few_uploads;
    while (!body.done()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            refusal = Refusal{PublicError::timeout, {}, {}};
            break;
        }
        if (holds_more_than_one_of_many && site.uploads_in_flight() > k_few_uploads) {
            co_await feeder.shrink_buffers(k_body_buffer_size);
            receiver.share_workspace();
            holds_more_than_one_of_many = false;
        }
        const std::span<std::uint8_t> chunk = co_await feeder.next_buffer();
        if (chunk.empty()) {
            break; // a feed was refused; drain() says why
        }
        auto [read_error, n] = co_await fill(chunk);
        if (read_error == bhttp::error::body_limit) {
            refusal = Refusal{PublicError::too_large, {}, {}};
            break;
        }
        if (read_error) {
            // The client went away, stalled, or sent broken framing: nothing to answer, and
            // destroying the receiver removes what was stored.
            (void)co_await feeder.drain();
            spdlog::info("upload.aborted reason=\"{}\" bytes={}", read_error.message(), receiver.file_bytes());
            co_return false;
        }
        feeder.submit(receiver, n);
        window_bytes += n;
        if (std::chrono::steady_clock::now() - window_start >= limits.min_upload_rate_window) {
            const auto window_seconds = static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::seconds>(limits.min_upload_rate_window).count());
            if (window_bytes < limits.min_upload_rate_bytes_per_second * window_seconds) {
                refusal = Refusal{PublicError::timeout, {}, {}};
                break;
            }
            window_start = std::chrono::steady_clock::now();
            window_bytes = 0;
        }
    }
    // What was fed before the body ended or failed decides first: a refusal of earlier bytes.
    if (auto fed = co_await feeder.drain()) {
        refusal = std::move(fed);
    }
    if (!refusal) {
        // Not on the workers: an inspection may take seconds, and pages and the other uploads'
        // bytes must not wait for it.
        auto outcome = co_await run_on(*context.inspections, [&] { return receiver.finish(); });
        if (const pipeline::Receipt* receipt = std::get_if<pipeline::Receipt>(&outcome)) {
            const std::chrono::duration<double> duration = std::chrono::steady_clock::now() - started;
            Response response = site.receipt_response(request, *receipt, duration);
            spdlog::info("upload.accepted ref={} type={} bytes={} ms={}", receipt->reference,
                         pipeline::archive_type_name(receipt->archive_type), receipt->size,
                         static_cast<long long>(duration.count() * 1000));
            co_return co_await write_response(stream, response) && response.keep_alive();
        }
        refusal = std::get<Refusal>(outcome);
    }
    // Nothing of a refused upload may outlive the answer: discard it before answering, not
    // after the drain.
    receiver.abandon();
    co_await refuse_and_drain(stream, site, request, *refusal, body.done());
    co_return false;
}

} // namespace supportdrop::http

namespace supportdrop::http {

// Serves requests on one connection until it closes, fails, idles out or a response ends it.
template <class Stream>
asio::awaitable<void> serve_requests(Stream& stream, ConnectionContext& context, const std::string& peer, bool tls) {
    Site& site = *context.site;
    const config::Limits& limits = site.limits();
    beast::flat_buffer buffer;
    bool first = true;
    for (;;) {
        bhttp::request_parser<bhttp::buffer_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
        parser.body_limit(boost::none); // decided per route once the header is known
        beast::get_lowest_layer(stream).expires_after(first ? limits.header_timeout : limits.idle_timeout);
        beast::error_code error;
        co_await bhttp::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, error));
        if (error == bhttp::error::header_limit) {
            RequestInfo request;
            request.tls = tls;
            Response response = site.refusal_response(request, {PublicError::headers_too_large, {}, {}});
            co_await write_response(stream, response);
            co_return;
        }
        if (error == bhttp::error::end_of_stream || error == beast::error::timeout || error == asio::error::eof ||
            error == asio::error::connection_reset || error == asio::error::operation_aborted) {
            co_return; // closed by the client, or idle/slow headers: close without a word
        }
        if (error) {
            RequestInfo request;
            request.tls = tls;
            Response response = site.refusal_response(request, {PublicError::bad_request, {}, {}});
            co_await write_response(stream, response);
            co_return;
        }
        first = false;
        const auto declared_length = parser.content_length();
        const RequestFraming framing{parser.keep_alive(),
                                     declared_length ? std::optional<std::uint64_t>(*declared_length) : std::nullopt,
                                     parser.chunked()};
        const RequestInfo request = describe_request(parser.get().base(), framing, peer, tls, context.trusted_proxies);
        if (Site::is_upload(request)) {
            if (!co_await handle_upload(stream, buffer, parser, context, request)) {
                co_return;
            }
            continue;
        }
        Response response = co_await run_on(*context.workers, [&] { return site.respond(request); });
        if (!co_await write_response(stream, response) || !response.keep_alive()) {
            co_return;
        }
    }
}

} // namespace supportdrop::http
