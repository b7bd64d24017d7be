#pragma once
// The listeners: the customer site (HTTP or HTTPS), the optional HTTP-to-HTTPS redirect, and
// the admin endpoints on localhost; signal handling and graceful shutdown.

#include "config/config.hpp"
#include "http/client_limits.hpp"
#include "http/metrics.hpp"
#include "http/site.hpp"

#include <functional>
#include <memory>

namespace supportdrop::http {

// What /readyz checks: the database answers and the disk has headroom.
using ReadinessCheck = std::function<util::Result<void>()>;

class Server {
public:
    Server(const config::Config& config, Site& site, Metrics& metrics, ClientLimits& limits, ReadinessCheck ready);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Loads the TLS certificate and binds every listener; logs the bound addresses (port 0 in
    // the configuration picks a free port). Throws std::runtime_error: a start-up failure.
    void start();

    // The origin of the bound site listener ("http://127.0.0.1:8080"), after start().
    std::string bound_origin() const;

    // Runs `job` on the worker pool when serving starts and then every `period` (maintenance
    // such as retention). Call before run().
    void every(std::chrono::seconds period, std::function<void()> job);

    // Serves until SIGTERM or SIGINT, then stops accepting, lets uploads in flight finish up to
    // limits.shutdown_timeout and aborts the rest cleanly (at once on a second signal). SIGHUP
    // reloads the certificate.
    void run();

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace supportdrop::http
