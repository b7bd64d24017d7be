#include "http/metrics.hpp"

#include <sstream>

namespace supportdrop::http {

void Metrics::upload_accepted(std::uint64_t bytes, std::chrono::duration<double> duration) {
    m_accepted.fetch_add(1, std::memory_order_relaxed);
    m_bytes.fetch_add(bytes, std::memory_order_relaxed);
    m_duration_micros.fetch_add(static_cast<std::uint64_t>(duration.count() * 1e6), std::memory_order_relaxed);
    for (std::size_t i = 0; i < k_duration_buckets.size(); ++i) {
        if (duration.count() <= k_duration_buckets[i]) {
            m_duration_buckets[i].fetch_add(1, std::memory_order_relaxed);
        }
    }
}

void Metrics::upload_rejected(PublicError reason) {
    m_rejected[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::connection_opened() {
    m_connections_total.fetch_add(1, std::memory_order_relaxed);
    m_connections_open.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::connection_closed() {
    m_connections_open.fetch_sub(1, std::memory_order_relaxed);
}

std::string Metrics::render(unsigned uploads_in_flight) const {
    std::ostringstream out;
    const std::uint64_t accepted = m_accepted.load(std::memory_order_relaxed);
    out << "# HELP supportdrop_uploads_accepted_total Uploads sealed, stored and acknowledged.\n"
        << "# TYPE supportdrop_uploads_accepted_total counter\n"
        << "supportdrop_uploads_accepted_total " << accepted << "\n"
        << "# HELP supportdrop_uploads_rejected_total Uploads and requests refused, by reason.\n"
        << "# TYPE supportdrop_uploads_rejected_total counter\n";
    for (const PublicErrorInfo& error : k_public_errors) {
        out << "supportdrop_uploads_rejected_total{reason=\"" << error.code << "\"} "
            << m_rejected[static_cast<std::size_t>(error.error)].load(std::memory_order_relaxed) << "\n";
    }
    out << "# HELP supportdrop_upload_bytes_total Bytes of accepted uploads.\n"
        << "# TYPE supportdrop_upload_bytes_total counter\n"
        << "supportdrop_upload_bytes_total " << m_bytes.load(std::memory_order_relaxed) << "\n"
        << "# HELP supportdrop_upload_duration_seconds Time from the upload's first byte to its receipt.\n"
        << "# TYPE supportdrop_upload_duration_seconds histogram\n";
    for (std::size_t i = 0; i < k_duration_buckets.size(); ++i) {
        out << "supportdrop_upload_duration_seconds_bucket{le=\"" << k_duration_buckets[i] << "\"} "
            << m_duration_buckets[i].load(std::memory_order_relaxed) << "\n";
    }
    out << "supportdrop_upload_duration_seconds_bucket{le=\"+Inf\"} " << accepted << "\n"
        << "supportdrop_upload_duration_seconds_sum "
        << static_cast<double>(m_duration_micros.load(std::memory_order_relaxed)) / 1e6 << "\n"
        << "supportdrop_upload_duration_seconds_count " << accepted << "\n"
        << "# HELP supportdrop_uploads_in_flight Uploads being received now.\n"
        << "# TYPE supportdrop_uploads_in_flight gauge\n"
        << "supportdrop_uploads_in_flight " << uploads_in_flight << "\n"
        << "# HELP supportdrop_connections_open Client connections open now.\n"
        << "# TYPE supportdrop_connections_open gauge\n"
        << "supportdrop_connections_open " << m_connections_open.load(std::memory_order_relaxed) << "\n"
        << "# HELP supportdrop_connections_total Client connections accepted.\n"
        << "# TYPE supportdrop_connections_total counter\n"
        << "supportdrop_connections_total " << m_connections_total.load(std::memory_order_relaxed) << "\n";
    return out.str();
}

} // namespace supportdrop::http
