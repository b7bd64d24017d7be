#include "http/client_limits.hpp"

#include <boost/asio/ip/address.hpp>

namespace supportdrop::http {

std::string client_key(const std::string& address) {
    boost::system::error_code error;
    const auto parsed = boost::asio::ip::make_address(address, error);
    if (error) {
        return address;
    }
    if (parsed.is_v6() && !parsed.to_v6().is_v4_mapped()) {
        auto bytes = parsed.to_v6().to_bytes();
        std::fill(bytes.begin() + 8, bytes.end(), 0);
        return boost::asio::ip::address_v6(bytes).to_string() + "/64";
    }
    if (parsed.is_v6()) {
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, parsed.to_v6()).to_string();
    }
    return parsed.to_string();
}

ClientLimits::ClientLimits(ClientLimitSettings settings) : m_settings(settings) {}

ClientLimits::Ticket::Ticket(Ticket&& other) noexcept
    : m_limits(other.m_limits), m_key(std::move(other.m_key)), m_upload(other.m_upload) {
    other.m_limits = nullptr;
}

ClientLimits::Ticket& ClientLimits::Ticket::operator=(Ticket&& other) noexcept {
    if (this != &other) {
        release();
        m_limits = other.m_limits;
        m_key = std::move(other.m_key);
        m_upload = other.m_upload;
        other.m_limits = nullptr;
    }
    return *this;
}

ClientLimits::Ticket::~Ticket() {
    release();
}

void ClientLimits::Ticket::release() {
    if (m_limits != nullptr) {
        m_limits->release(m_key, m_upload);
        m_limits = nullptr;
    }
}

ClientLimits::Admission ClientLimits::admit_connection(const std::string& key) {
    const std::scoped_lock lock(m_mutex);
    Client& client = m_clients[key];
    if (client.connections >= m_settings.max_connections_per_client) {
        return {Refusal::too_many_connections, std::chrono::seconds(10), {}};
    }
    ++client.connections;
    ++m_connections;
    return {Refusal::none, {}, Ticket(this, key, false)};
}

ClientLimits::Admission ClientLimits::admit_upload(const std::string& key, Clock::time_point now) {
    const std::scoped_lock lock(m_mutex);
    Client& client = m_clients[key];
    const auto hour = std::chrono::hours(1);
    while (!client.recent_uploads.empty() && now - client.recent_uploads.front() >= hour) {
        client.recent_uploads.pop_front();
    }
    if (client.recent_uploads.size() >= m_settings.max_uploads_per_client_per_hour) {
        const auto wait = std::chrono::ceil<std::chrono::seconds>(client.recent_uploads.front() + hour - now);
        return {Refusal::too_many_uploads, std::max(wait, std::chrono::seconds(1)), {}};
    }
    if (client.uploads >= m_settings.max_concurrent_uploads_per_client ||
        m_uploads >= m_settings.max_concurrent_uploads) {
        return {Refusal::too_many_uploads, std::chrono::seconds(30), {}};
    }
    ++client.uploads;
    ++m_uploads;
    client.recent_uploads.push_back(now);
    return {Refusal::none, {}, Ticket(this, key, true)};
}

void ClientLimits::release(const std::string& key, bool upload) {
    const std::scoped_lock lock(m_mutex);
    const auto it = m_clients.find(key);
    if (it == m_clients.end()) {
        return;
    }
    Client& client = it->second;
    if (upload) {
        --client.uploads;
        --m_uploads;
    } else {
        --client.connections;
        --m_connections;
    }
    // Forget clients with nothing open and no quota history: memory stays bounded by activity.
    if (client.connections == 0 && client.uploads == 0 && client.recent_uploads.empty()) {
        m_clients.erase(it);
    }
}

unsigned ClientLimits::uploads_in_flight() const {
    const std::scoped_lock lock(m_mutex);
    return m_uploads;
}

unsigned ClientLimits::connections_open() const {
    const std::scoped_lock lock(m_mutex);
    return m_connections;
}

} // namespace supportdrop::http
