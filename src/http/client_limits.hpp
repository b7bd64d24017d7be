#pragma once
// Per-client and global admission limits, in memory only: client addresses are never persisted
// (DESIGN.md section 2). IPv6 clients are counted per /64, since one host often has many
// addresses in its prefix.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace supportdrop::http {

struct ClientLimitSettings {
    unsigned max_connections_per_client = 16;
    unsigned max_concurrent_uploads_per_client = 2;
    unsigned max_uploads_per_client_per_hour = 20;
    unsigned max_concurrent_uploads = 64;
};

// The key under which a client is counted: the IPv4 address, or the /64 prefix of IPv6.
std::string client_key(const std::string& address);

// Thread-safe.
class ClientLimits {
public:
    using Clock = std::chrono::steady_clock;

    explicit ClientLimits(ClientLimitSettings settings);

    // Held while a connection or upload is open; releases its slot when destroyed.
    class Ticket {
    public:
        Ticket() = default;
        Ticket(ClientLimits* limits, std::string key, bool upload)
            : m_limits(limits), m_key(std::move(key)), m_upload(upload) {}
        Ticket(Ticket&& other) noexcept;
        Ticket& operator=(Ticket&& other) noexcept;
        Ticket(const Ticket&) = delete;
        Ticket& operator=(const Ticket&) = delete;
        ~Ticket();

    private:
        void release();
        ClientLimits* m_limits = nullptr;
        std::string m_key;
        bool m_upload = false;
    };

    enum class Refusal { none, too_many_connections, too_many_uploads };

    struct Admission {
        Refusal refusal = Refusal::none;
        std::chrono::seconds retry_after{0};
        Ticket ticket;
    };

    Admission admit_connection(const std::string& key);
    // Counts against the per-client concurrency, the hourly quota and the global concurrency.
    Admission admit_upload(const std::string& key, Clock::time_point now = Clock::now());

    unsigned uploads_in_flight() const;
    unsigned connections_open() const;

private:
    struct Client {
        unsigned connections = 0;
        unsigned uploads = 0;
        std::deque<Clock::time_point> recent_uploads; // within the last hour
    };
    void release(const std::string& key, bool upload);

    ClientLimitSettings m_settings;
    mutable std::mutex m_mutex;
    std::map<std::string, Client> m_clients;
    unsigned m_uploads = 0;
    unsigned m_connections = 0;
};

} // namespace supportdrop::http
