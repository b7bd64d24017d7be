#pragma once
// The service configuration: one TOML file, every option with a safe default
// (config/supportdrop.example.toml documents each one).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace supportdrop::config {

struct ListenAddress {
    std::string host;
    std::uint16_t port = 0;

    std::string to_string() const;
    friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

struct TlsSettings {
    std::filesystem::path certificate_file; // PEM chain, reloaded on SIGHUP
    std::filesystem::path private_key_file; // PEM
};

// Everything the network controls, bounded (DESIGN.md section 5, property 3).
struct Limits {
    std::uint64_t max_upload_bytes = 52'428'800; // 50 MiB of file data
    std::size_t max_header_bytes = std::size_t{16} * 1024;
    std::chrono::seconds header_timeout{10};
    std::chrono::seconds idle_timeout{30};     // keep-alive between requests
    std::chrono::seconds upload_timeout{3600}; // one whole upload
    std::uint64_t min_upload_rate_bytes_per_second = 4096;
    std::chrono::seconds min_upload_rate_window{30}; // the rate is measured over this window
    unsigned max_connections_per_client = 16;
    unsigned max_concurrent_uploads_per_client = 2;
    unsigned max_uploads_per_client_per_hour = 20;
    unsigned max_concurrent_uploads = 64;
    std::uint64_t min_free_disk_bytes = 1024ull * 1024 * 1024;
    std::chrono::seconds drain_timeout{30}; // reading the rest of a refused body, as nginx's lingering close
    std::uint64_t drain_max_bytes = 64ull * 1024 * 1024;
    std::chrono::seconds shutdown_timeout{30}; // uploads in flight may finish within this on SIGTERM
};

// The archive inspection (issue 4): its budgets, and per verdict reason a policy.
struct Inspection {
    std::size_t max_entries = 10'000;
    std::uint64_t max_total_bytes = std::uint64_t{2} << 30;      // declared unpacked size
    std::uint64_t max_compression_ratio = 500;                   // per entry over 1 MiB, and overall
    std::uint64_t max_unpacked_bytes = std::uint64_t{256} << 20; // decompressed while listing
    std::size_t max_path_bytes = 1024;
    std::size_t min_concern_letters = 20;                        // Readme text beyond the contact lines
    std::chrono::seconds time_limit{10};                         // wall clock and CPU time of the inspector process
    std::uint64_t memory_limit_bytes = std::uint64_t{128} << 20; // its address space
    std::map<std::string, std::string> policy; // reason code -> "reject" or "warn"; others keep their default
};

struct Privacy {
    std::string controller; // who is responsible, shown on the privacy page
    std::string contact;    // how to reach them
};

struct Config {
    ListenAddress listen{"127.0.0.1", 8080};
    std::string public_url; // the origin customers use; derived from `listen` when empty
    std::optional<TlsSettings> tls;
    std::optional<ListenAddress> redirect_listen; // plain HTTP that only redirects to HTTPS
    ListenAddress admin_listen{"127.0.0.1", 9090};
    std::vector<std::string> trusted_proxies; // addresses whose X-Forwarded-For/Forwarded is used
    std::filesystem::path data_dir = "supportdrop-data";
    std::vector<std::string> recipients;   // age1... staff recipients
    std::filesystem::path recipients_file; // more of them, one per line
    unsigned retention_days = 30;
    unsigned io_threads = 0;   // 0: one per core
    unsigned work_threads = 0; // hashing and sealing; 0: one per core
    // Uploads inspected and committed at once, each holding a thread while its inspector process
    // works and its files and row are made durable; 0: twice as many as work_threads.
    unsigned inspection_threads = 0;
    Limits limits;
    Inspection inspection;
    Privacy privacy;

    // The origin (scheme://host[:port]) that pages and the Origin check use.
    std::string origin() const;
};

// A configuration that cannot be used, with a message naming the file, key and problem.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Reads and validates `path`. Unknown keys are errors (they are usually typos).
// Throws ConfigError.
Config load_config(const std::filesystem::path& path);

// Validates a configuration built in code (load_config() calls it). Throws ConfigError.
void validate(const Config& config);

// A readable summary of the effective configuration, for `check-config`.
std::string describe(const Config& config);

// The server's thread counts, with 0 resolved: I/O threads one per CPU core (`cores`), work and
// inspection threads two per core. Among many uploads, a work thread waits for the disk in each
// write of an archive that bypasses the page cache (http::archive_caching); with 32 uploads of
// 5 MiB at once on 2 cores, 2 work threads took 17% more time than 4. Finishing an upload mostly
// waits, for the inspector process and for the disk (four syncs), and while one waits another
// can use the CPU: 4 inspection threads took 5% less time than 2, 8 took 7% less. More would
// also mean more inspector processes at once, each allowed its [inspection] memory.
struct ThreadCounts {
    unsigned io = 1;
    unsigned work = 1;
    unsigned inspection = 1;
};
ThreadCounts thread_counts(const Config& config, unsigned cores);

} // namespace supportdrop::config
