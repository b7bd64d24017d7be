#include "http/server.hpp"

#include "http/connection.hpp"
#include "http/tls_stream.hpp"

#include <boost/asio/ssl.hpp>

#include <csignal>
#include <mutex>
#include <thread>

namespace supportdrop::http {
namespace {

using tcp = asio::ip::tcp;

// Mozilla's "intermediate" profile, restricted to ECDHE key exchange with AEAD ciphers, for
// TLS 1.2; TLS 1.3 uses OpenSSL's default suites, all of which are AEAD.
constexpr const char* k_tls12_ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                        "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                        "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::shared_ptr<asio::ssl::context> make_tls_context(const config::TlsSettings& settings) {
    auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX* native = context->native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(native, k_tls12_ciphers) != 1 ||
        SSL_CTX_set1_groups_list(native, "X25519:prime256v1:secp384r1") != 1 ||
        SSL_CTX_set_num_tickets(native, 0) != 1) {
        throw std::runtime_error("cannot configure TLS");
    }
    // No session tickets, in either version (SSL_OP_NO_TICKET for TLS 1.2, no tickets at all for
    // TLS 1.3), as Mozilla's server configurations have it: a ticket key that is not rotated undoes
    // forward secrecy, and a customer uploads once. TLS 1.3 sends its tickets after the handshake,
    // and with them a curl upload of 50 MiB took 131-143 ms instead of 88-99 (two interleaved
    // rounds of six); TLS 1.2 was not affected.
    context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression |
                         asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1 | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
    try {
        context->use_certificate_chain_file(settings.certificate_file.string());
        context->use_private_key_file(settings.private_key_file.string(), asio::ssl::context::pem);
    } catch (const boost::system::system_error& error) {
        throw std::runtime_error("cannot load TLS certificate or key (" + settings.certificate_file.string() + ", " +
                                 settings.private_key_file.string() + "): " + error.what());
    }
    return context;
}

// An open connection in the metrics, for as long as it lives.
class OpenConnection {
public:
    explicit OpenConnection(Metrics& metrics) : m_metrics(&metrics) { m_metrics->connection_opened(); }
    OpenConnection(const OpenConnection&) = delete;
    OpenConnection& operator=(const OpenConnection&) = delete;
    ~OpenConnection() { m_metrics->connection_closed(); }

private:
    Metrics* m_metrics;
};

tcp::endpoint endpoint_of(const config::ListenAddress& address) {
    boost::system::error_code error;
    const auto ip = asio::ip::make_address(address.host == "localhost" ? "127.0.0.1" : address.host, error);
    if (error) {
        throw std::runtime_error("invalid listen address '" + address.host + "'");
    }
    return {ip, address.port};
}

void log_exception(const std::exception_ptr& exception) {
    if (!exception) {
        return;
    }
    try {
        std::rethrow_exception(exception);
    } catch (const std::exception& error) {
        spdlog::error("connection.failed error=\"{}\"", error.what());
    }
}

Response plain_response(unsigned version, bhttp::status status, std::string_view content_type, std::string body) {
    Response response{status, version};
    response.set(bhttp::field::content_type, content_type);
    response.set(bhttp::field::cache_control, "no-store");
    response.body() = std::move(body);
    response.keep_alive(false);
    add_security_headers(response, false);
    response.prepare_payload();
    return response;
}

} // namespace

class Server::Impl {
public:
    Impl(const config::Config& config, Site& site, Metrics& metrics, ClientLimits& limits, ReadinessCheck ready)
        : m_config(config), m_site(site), m_metrics(metrics), m_limits(limits), m_ready(std::move(ready)),
          m_threads(config::thread_counts(config, std::thread::hardware_concurrency())), m_workers(m_threads.work),
          m_inspections(m_threads.inspection), m_io(static_cast<int>(m_threads.io)),
          m_signals(m_io, SIGINT, SIGTERM, SIGHUP), m_shutdown_timer(m_io) {
        m_connection_context.site = &site;
        m_connection_context.workers = &m_workers;
        m_connection_context.inspections = &m_inspections;
        m_connection_context.trusted_proxies = config.trusted_proxies;
    }

    ~Impl() {
        m_inspections.join();
        m_workers.join();
    }

    void start() {
        if (m_config.tls) {
            m_tls = make_tls_context(*m_config.tls);
        }
        listen(m_config.listen, Kind::site);
        if (m_config.redirect_listen) {
            listen(*m_config.redirect_listen, Kind::redirect);
        }
        listen(m_config.admin_listen, Kind::admin);
    }

    std::string bound_origin() const { return m_bound_origin; }

    void every(std::chrono::seconds period, std::function<void()> job) {
        asio::co_spawn(m_io, repeat(period, std::move(job)), log_exception);
    }

    void run() {
        wait_for_signal();
        std::vector<std::thread> threads;
        for (unsigned i = 1; i < m_threads.io; ++i) {
            threads.emplace_back([this] { m_io.run(); });
        }
        m_io.run();
        for (auto& thread : threads) {
            thread.join();
        }
        // The process is ending: a late SIGTERM must not cut short the cleanup that follows.
        // (Clearing the set first, since removing its signals restores their default action.)
        boost::system::error_code ignored;
        m_signals.clear(ignored);
        (void)std::signal(SIGTERM, SIG_IGN);
        (void)std::signal(SIGINT, SIG_IGN);
        spdlog::info("serve.stopped");
    }

private:
    enum class Kind { site, redirect, admin };

    void listen(const config::ListenAddress& address, Kind kind) {
        auto acceptor = std::make_unique<tcp::acceptor>(m_io);
        const tcp::endpoint endpoint = endpoint_of(address);
        boost::system::error_code error;
        acceptor->open(endpoint.protocol(), error);
        if (!error) {
            acceptor->set_option(asio::socket_base::reuse_address(true), error);
        }
        if (!error) {
            acceptor->bind(endpoint, error);
        }
        if (!error) {
            acceptor->listen(asio::socket_base::max_listen_connections, error);
        }
        if (error) {
            throw std::runtime_error("cannot listen on " + address.to_string() + ": " + error.message());
        }
        const auto bound = acceptor->local_endpoint();
        static constexpr const char* names[] = {"site", "redirect", "admin"};
        const bool https = kind == Kind::site && m_tls;
        const std::string url = std::string(https ? "https" : "http") + "://" +
                                config::ListenAddress{bound.address().to_string(), bound.port()}.to_string();
        spdlog::info("serve.listening kind={} url={}", names[static_cast<int>(kind)], url);
        if (kind == Kind::site) {
            m_bound_origin = url;
        }
        asio::co_spawn(m_io, accept_loop(*acceptor, kind), log_exception);
        m_acceptors.push_back(std::move(acceptor));
    }

    asio::awaitable<void> repeat(std::chrono::seconds period, std::function<void()> job) {
        asio::steady_timer timer(m_io);
        for (;;) {
            co_await run_on(m_workers, [&job] {
                job();
                return true;
            });
            timer.expires_after(period);
            boost::system::error_code error;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
            if (error) {
                co_return;
            }
        }
    }

    asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, Kind kind) {
        for (;;) {
            boost::system::error_code error;
            tcp::socket socket = co_await acceptor.async_accept(asio::make_strand(m_io),
                                                                asio::redirect_error(asio::use_awaitable, error));
            if (error == asio::error::operation_aborted) {
                co_return;
            }
            if (error) {
                continue; // e.g. EMFILE: try again with the next connection
            }
            const auto executor = socket.get_executor();
            asio::co_spawn(executor, serve_socket(std::move(socket), kind), log_exception);
        }
    }

    asio::awaitable<void> serve_socket(tcp::socket socket, Kind kind) {
        boost::system::error_code error;
        const auto remote = socket.remote_endpoint(error);
        if (error) {
            co_return;
        }
        const std::string peer = remote.address().to_string();
        if (kind == Kind::admin) {
            beast::tcp_stream stream(std::move(socket));
            co_await serve_admin(stream);
            co_return;
        }
        // A trusted proxy carries many clients: its connections are not counted as one client's.
        const bool via_proxy = std::ranges::find(m_config.trusted_proxies, peer) != m_config.trusted_proxies.end();
        ClientLimits::Admission admission;
        if (!via_proxy) {
            admission = m_limits.admit_connection(client_key(peer));
        }
        beast::tcp_stream plain(std::move(socket));
        if (admission.refusal != ClientLimits::Refusal::none) {
            RequestInfo request;
            request.tls = false;
            Response response =
                m_site.refusal_response(request, {PublicError::too_many_connections, {}, admission.retry_after});
            if (!m_tls) {
                co_await write_response(plain, response);
            }
            co_return; // over TLS a plain-text answer would not be understood: just close
        }
        // Counted until the coroutine ends, also by an exception (a TLS connection whose state
        // OpenSSL cannot make, say).
        const OpenConnection counted(m_metrics);
        if (kind == Kind::redirect) {
            co_await serve_redirect(plain);
        } else if (m_tls) {
            co_await serve_tls(std::move(plain), peer);
        } else {
            co_await serve_requests(plain, m_connection_context, peer, false);
            plain.socket().shutdown(tcp::socket::shutdown_send, error);
        }
    }

    asio::awaitable<void> serve_tls(beast::tcp_stream plain, const std::string& peer) {
        std::shared_ptr<asio::ssl::context> context;
        {
            const std::scoped_lock lock(m_tls_mutex);
            context = m_tls;
        }
        TlsStream stream(plain.release_socket(), context->native_handle());
        stream.expires_after(m_site.limits().header_timeout);
        beast::error_code error;
        co_await stream.async_handshake(asio::redirect_error(asio::use_awaitable, error));
        if (error) {
            co_return; // wrong protocol version, plain HTTP on the TLS port, scanners
        }
        co_await serve_requests(stream, m_connection_context, peer, true);
        stream.expires_after(std::chrono::seconds(5));
        co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, error));
    }

    asio::awaitable<void> serve_redirect(beast::tcp_stream& stream) {
        beast::flat_buffer buffer;
        bhttp::request_parser<bhttp::empty_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(m_site.limits().max_header_bytes));
        stream.expires_after(m_site.limits().header_timeout);
        beast::error_code error;
        co_await bhttp::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, error));
        if (error) {
            co_return;
        }
        const auto& request = parser.get();
        Response response;
        if (request.method() == bhttp::verb::get || request.method() == bhttp::verb::head) {
            // Only the path is taken from the request, never the Host header.
            std::string target(request.target());
            if (target.empty() || target.front() != '/') {
                target = "/";
            }
            response = plain_response(request.version(), bhttp::status::moved_permanently, "text/plain; charset=utf-8",
                                      "Moved to HTTPS\n");
            response.set(bhttp::field::location, m_site.origin() + target);
        } else {
            response = plain_response(request.version(), bhttp::status::method_not_allowed, "text/plain; charset=utf-8",
                                      "Use HTTPS\n");
        }
        co_await write_response(stream, response);
    }

    asio::awaitable<void> serve_admin(beast::tcp_stream& stream) {
        beast::flat_buffer buffer;
        bhttp::request<bhttp::empty_body> request;
        stream.expires_after(m_site.limits().header_timeout);
        beast::error_code error;
        co_await bhttp::async_read(stream, buffer, request, asio::redirect_error(asio::use_awaitable, error));
        if (error) {
            co_return;
        }
        const std::string_view path = target_path_of(request.target());
        Response response;
        if (path == "/healthz") {
            response = plain_response(request.version(), bhttp::status::ok, "text/plain; charset=utf-8", "ok\n");
        } else if (path == "/readyz") {
            auto ready = co_await run_on(m_workers, [this] { return m_ready(); });
            response =
                ready ? plain_response(request.version(), bhttp::status::ok, "text/plain; charset=utf-8", "ready\n")
                      : plain_response(request.version(), bhttp::status::service_unavailable,
                                       "text/plain; charset=utf-8", "not ready: " + ready.error().message() + "\n");
        } else if (path == "/metrics") {
            response = plain_response(request.version(), bhttp::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                                      m_metrics.render(m_limits.uploads_in_flight()));
        } else {
            response =
                plain_response(request.version(), bhttp::status::not_found, "text/plain; charset=utf-8", "not found\n");
        }
        co_await write_response(stream, response);
    }

    static std::string_view target_path_of(std::string_view target) { return target.substr(0, target.find('?')); }

    void wait_for_signal() {
        m_signals.async_wait([this](const boost::system::error_code& error, int signal_number) {
            if (error) {
                return;
            }
            if (signal_number == SIGHUP) {
                reload_tls();
            } else if (!m_site.shutting_down()) {
                begin_shutdown();
            } else {
                // A second SIGTERM/SIGINT does not wait for uploads in flight.
                spdlog::warn("serve.aborting uploads_in_flight={} reason=second_signal", m_limits.uploads_in_flight());
                m_io.stop();
                return;
            }
            wait_for_signal();
        });
    }

    void reload_tls() {
        if (!m_config.tls) {
            return;
        }
        try {
            auto context = make_tls_context(*m_config.tls);
            const std::scoped_lock lock(m_tls_mutex);
            m_tls = std::move(context);
            spdlog::info("tls.reloaded");
        } catch (const std::exception& error) {
            spdlog::error("tls.reload_failed error=\"{}\" (keeping the previous certificate)", error.what());
        }
    }

    void begin_shutdown() {
        spdlog::info("serve.stopping uploads_in_flight={}", m_limits.uploads_in_flight());
        m_site.begin_shutdown();
        for (auto& acceptor : m_acceptors) {
            boost::system::error_code ignored;
            acceptor->close(ignored);
        }
        m_shutdown_deadline = std::chrono::steady_clock::now() + m_site.limits().shutdown_timeout;
        poll_shutdown();
    }

    void poll_shutdown() {
        if (m_limits.uploads_in_flight() == 0 || std::chrono::steady_clock::now() >= m_shutdown_deadline) {
            if (m_limits.uploads_in_flight() > 0) {
                spdlog::warn("serve.aborting uploads_in_flight={}", m_limits.uploads_in_flight());
            }
            m_io.stop();
            return;
        }
        m_shutdown_timer.expires_after(std::chrono::milliseconds(100));
        m_shutdown_timer.async_wait([this](const boost::system::error_code& error) {
            if (!error) {
                poll_shutdown();
            }
        });
    }

    const config::Config& m_config;
    Site& m_site;
    Metrics& m_metrics;
    ClientLimits& m_limits;
    ReadinessCheck m_ready;
    config::ThreadCounts m_threads;
    // The pools outlive the I/O context: destroying it destroys the coroutines of connections
    // still open, whose uploads hold strands of the worker pool.
    asio::thread_pool m_workers;
    asio::thread_pool m_inspections;
    asio::io_context m_io;
    asio::signal_set m_signals;
    asio::steady_timer m_shutdown_timer;
    std::chrono::steady_clock::time_point m_shutdown_deadline;
    std::vector<std::unique_ptr<tcp::acceptor>> m_acceptors;
    std::string m_bound_origin;
    std::mutex m_tls_mutex;
    std::shared_ptr<asio::ssl::context> m_tls;
    ConnectionContext m_connection_context;
};

Server::Server(const config::Config& config, Site& site, Metrics& metrics, ClientLimits& limits, ReadinessCheck ready)
    : m_impl(std::make_unique<Impl>(config, site, metrics, limits, std::move(ready))) {}

Server::~Server() = default;

void Server::start() {
    m_impl->start();
}

void Server::run() {
    m_impl->run();
}

std::string Server::bound_origin() const {
    return m_impl->bound_origin();
}

void Server::every(std::chrono::seconds period, std::function<void()> job) {
    m_impl->every(period, std::move(job));
}

} // namespace supportdrop::http
