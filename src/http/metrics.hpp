#pragma once
// Counters for the admin listener's Prometheus endpoint. Only counts and sizes: no labels
// from client data. Thread-safe.

#include "http/public_error.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace supportdrop::http {

class Metrics {
public:
    void upload_accepted(std::uint64_t bytes, std::chrono::duration<double> duration);
    void upload_rejected(PublicError reason);
    void connection_opened();
    void connection_closed();

    // The Prometheus text exposition (version 0.0.4). `uploads_in_flight` comes from the limiter.
    std::string render(unsigned uploads_in_flight) const;

private:
    static constexpr std::array<double, 10> k_duration_buckets = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

    std::atomic<std::uint64_t> m_accepted{0};
    std::atomic<std::uint64_t> m_bytes{0};
    std::array<std::atomic<std::uint64_t>, std::size(k_public_errors)> m_rejected{};
    std::array<std::atomic<std::uint64_t>, k_duration_buckets.size()> m_duration_buckets{};
    std::atomic<std::uint64_t> m_duration_micros{0};
    std::atomic<std::uint64_t> m_connections_total{0};
    std::atomic<std::int64_t> m_connections_open{0};
};

} // namespace supportdrop::http
