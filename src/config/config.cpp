#include "config/config.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>
#include <thread>
#include <toml++/toml.h>

namespace supportdrop::config {
namespace {

constexpr unsigned k_max_threads = 256; // of each kind

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
    throw ConfigError(where + ": " + problem);
}

std::string where_of(const std::filesystem::path& path, const toml::node& node, const std::string& key) {
    const auto& source = node.source();
    return path.string() + ":" + std::to_string(source.begin.line) + ": " + key;
}

ListenAddress parse_listen(const std::string& where, const std::string& text) {
    // "host:port" or "[v6]:port".
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        fail(where, "expected HOST:PORT, got '" + text + "'");
    }
    std::string host = text.substr(0, colon);
    if (host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    unsigned port = 0;
    const std::string port_text = text.substr(colon + 1);
    const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
        fail(where, "invalid port in '" + text + "'");
    }
    return {host, static_cast<std::uint16_t>(port)};
}

// Reads typed values from one table, remembering which keys were used so that the rest can
// be reported as unknown.
class TableReader {
public:
    TableReader(const std::filesystem::path& path, const toml::table& table, std::string prefix)
        : m_path(path), m_table(table), m_prefix(std::move(prefix)) {}

    // Fails on the first key that no read() asked for.
    void reject_unknown() const {
        for (const auto& [key, node] : m_table) {
            if (!m_used.contains(std::string(key.str()))) {
                fail(where_of(m_path, node, m_prefix + std::string(key.str())), "unknown option");
            }
        }
    }

    template <class T>
    void read(const std::string& key, T& out) {
        const toml::node* node = use(key);
        if (node == nullptr) {
            return;
        }
        if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::filesystem::path>) {
            const auto value = node->value<std::string>();
            if (!value) {
                fail(where(*node, key), "expected a string");
            }
            out = *value;
        } else if constexpr (std::is_same_v<T, bool>) {
            const auto value = node->value<bool>();
            if (!value) {
                fail(where(*node, key), "expected true or false");
            }
            out = *value;
        } else if constexpr (std::is_integral_v<T>) {
            const auto value = node->value<std::int64_t>();
            if (!value || *value < 0 || static_cast<std::uint64_t>(*value) > std::numeric_limits<T>::max()) {
                fail(where(*node, key), "expected a non-negative whole number");
            }
            out = static_cast<T>(*value);
        } else if constexpr (std::is_same_v<T, std::chrono::seconds>) {
            const auto value = node->value<std::int64_t>();
            if (!value || *value <= 0) {
                fail(where(*node, key), "expected a positive number of seconds");
            }
            out = std::chrono::seconds(*value);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            const toml::array* array = node->as_array();
            if (array == nullptr) {
                fail(where(*node, key), "expected a list of strings");
            }
            out.clear();
            for (const toml::node& element : *array) {
                const auto value = element.value<std::string>();
                if (!value) {
                    fail(where(element, key), "expected a list of strings");
                }
                out.push_back(*value);
            }
        } else if constexpr (std::is_same_v<T, ListenAddress>) {
            std::string text;
            read(key, text);
            out = parse_listen(where(*node, key), text);
        }
    }

    const toml::table* table(const std::string& key) {
        const toml::node* node = use(key);
        if (node == nullptr) {
            return nullptr;
        }
        if (!node->is_table()) {
            fail(where(*node, key), "expected a [" + m_prefix + key + "] table");
        }
        return node->as_table();
    }

private:
    const toml::node* use(const std::string& key) {
        m_used.insert(key);
        return m_table.get(key);
    }
    std::string where(const toml::node& node, const std::string& key) const {
        return where_of(m_path, node, m_prefix + key);
    }

    const std::filesystem::path& m_path;
    const toml::table& m_table;
    std::string m_prefix;
    std::set<std::string> m_used;
};

void read_inspection(const std::filesystem::path& path, const toml::table& table, Inspection& inspection) {
    TableReader reader(path, table, "inspection.");
    reader.read("max_entries", inspection.max_entries);
    reader.read("max_total_bytes", inspection.max_total_bytes);
    reader.read("max_compression_ratio", inspection.max_compression_ratio);
    reader.read("max_unpacked_bytes", inspection.max_unpacked_bytes);
    reader.read("max_path_bytes", inspection.max_path_bytes);
    reader.read("min_concern_letters", inspection.min_concern_letters);
    reader.read("time_limit_seconds", inspection.time_limit);
    reader.read("memory_limit_bytes", inspection.memory_limit_bytes);
    if (const toml::table* policy = reader.table("policy")) {
        // The reason codes belong to the pipeline, which checks them (check-config too).
        for (const auto& [key, node] : *policy) {
            const auto value = node.value<std::string>();
            if (!value || (*value != "reject" && *value != "warn")) {
                fail(where_of(path, node, "inspection.policy." + std::string(key.str())),
                     "expected \"reject\" or \"warn\"");
            }
            inspection.policy[std::string(key.str())] = *value;
        }
    }
    reader.reject_unknown();
}

void read_limits(const std::filesystem::path& path, const toml::table& table, Limits& limits) {
    TableReader reader(path, table, "limits.");
    reader.read("max_upload_bytes", limits.max_upload_bytes);
    reader.read("max_header_bytes", limits.max_header_bytes);
    reader.read("header_timeout_seconds", limits.header_timeout);
    reader.read("idle_timeout_seconds", limits.idle_timeout);
    reader.read("upload_timeout_seconds", limits.upload_timeout);
    reader.read("min_upload_rate_bytes_per_second", limits.min_upload_rate_bytes_per_second);
    reader.read("min_upload_rate_window_seconds", limits.min_upload_rate_window);
    reader.read("max_connections_per_client", limits.max_connections_per_client);
    reader.read("max_concurrent_uploads_per_client", limits.max_concurrent_uploads_per_client);
    reader.read("max_uploads_per_client_per_hour", limits.max_uploads_per_client_per_hour);
    reader.read("max_concurrent_uploads", limits.max_concurrent_uploads);
    reader.read("min_free_disk_bytes", limits.min_free_disk_bytes);
    reader.read("drain_timeout_seconds", limits.drain_timeout);
    reader.read("drain_max_bytes", limits.drain_max_bytes);
    reader.read("shutdown_timeout_seconds", limits.shutdown_timeout);
    reader.reject_unknown();
}

} // namespace

std::string ListenAddress::to_string() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Config::origin() const {
    if (!public_url.empty()) {
        std::string url = public_url;
        while (url.ends_with('/')) {
            url.pop_back();
        }
        return url;
    }
    return (tls ? "https://" : "http://") + listen.to_string();
}

Config load_config(const std::filesystem::path& path) {
    toml::table root;
    try {
        root = toml::parse_file(path.string());
    } catch (const toml::parse_error& error) {
        const auto& begin = error.source().begin;
        throw ConfigError(path.string() + ":" + std::to_string(begin.line) + ": " + std::string(error.description()));
    }
    Config config;
    {
        TableReader reader(path, root, "");
        if (const toml::table* server = reader.table("server")) {
            TableReader section(path, *server, "server.");
            section.read("listen", config.listen);
            section.read("public_url", config.public_url);
            section.read("trusted_proxies", config.trusted_proxies);
            section.read("io_threads", config.io_threads);
            section.read("work_threads", config.work_threads);
            section.read("inspection_threads", config.inspection_threads);
            section.reject_unknown();
        }
        if (const toml::table* tls = reader.table("tls")) {
            TableReader section(path, *tls, "tls.");
            TlsSettings settings;
            section.read("certificate_file", settings.certificate_file);
            section.read("private_key_file", settings.private_key_file);
            ListenAddress redirect;
            section.read("redirect_listen", redirect);
            if (!redirect.host.empty()) {
                config.redirect_listen = redirect;
            }
            section.reject_unknown();
            config.tls = settings;
        }
        if (const toml::table* admin = reader.table("admin")) {
            TableReader section(path, *admin, "admin.");
            section.read("listen", config.admin_listen);
            section.reject_unknown();
        }
        if (const toml::table* storage = reader.table("storage")) {
            TableReader section(path, *storage, "storage.");
            section.read("data_dir", config.data_dir);
            section.read("retention_days", config.retention_days);
            section.reject_unknown();
        }
        if (const toml::table* sealing = reader.table("sealing")) {
            TableReader section(path, *sealing, "sealing.");
            section.read("recipients", config.recipients);
            section.read("recipients_file", config.recipients_file);
            section.reject_unknown();
        }
        if (const toml::table* limits = reader.table("limits")) {
            read_limits(path, *limits, config.limits);
        }
        if (const toml::table* inspection = reader.table("inspection")) {
            read_inspection(path, *inspection, config.inspection);
        }
        if (const toml::table* privacy = reader.table("privacy")) {
            TableReader section(path, *privacy, "privacy.");
            section.read("controller", config.privacy.controller);
            section.read("contact", config.privacy.contact);
            section.reject_unknown();
        }
        reader.reject_unknown();
    }
    // Relative paths in the file are relative to the file.
    const auto base = path.parent_path();
    for (std::filesystem::path* relative : {&config.data_dir, &config.recipients_file}) {
        if (!relative->empty() && relative->is_relative()) {
            *relative = base / *relative;
        }
    }
    if (config.tls) {
        for (std::filesystem::path* relative : {&config.tls->certificate_file, &config.tls->private_key_file}) {
            if (!relative->empty() && relative->is_relative()) {
                *relative = base / *relative;
            }
        }
    }
    try {
        validate(config);
    } catch (const ConfigError& error) {
        throw ConfigError(path.string() + ": " + error.what());
    }
    return config;
}

void validate(const Config& config) {
    if (config.tls && (config.tls->certificate_file.empty() || config.tls->private_key_file.empty())) {
        throw ConfigError("tls: certificate_file and private_key_file are both required");
    }
    if (config.redirect_listen && !config.tls) {
        throw ConfigError("tls.redirect_listen needs TLS to redirect to");
    }
    if (!config.public_url.empty() && !config.public_url.starts_with("https://") &&
        !config.public_url.starts_with("http://")) {
        throw ConfigError("server.public_url must start with https:// or http://");
    }
    const Limits& limits = config.limits;
    if (limits.max_upload_bytes == 0) {
        throw ConfigError("limits.max_upload_bytes must be positive");
    }
    if (limits.max_header_bytes < 1024) {
        throw ConfigError("limits.max_header_bytes must be at least 1024");
    }
    if (limits.max_concurrent_uploads == 0 || limits.max_concurrent_uploads_per_client == 0 ||
        limits.max_connections_per_client == 0 || limits.max_uploads_per_client_per_hour == 0) {
        throw ConfigError("limits: connection and upload counts must be at least 1");
    }
    const Inspection& inspection = config.inspection;
    if (inspection.max_entries == 0 || inspection.max_path_bytes < 64 || inspection.max_unpacked_bytes == 0) {
        throw ConfigError(
            "inspection: max_entries and max_unpacked_bytes must be positive, max_path_bytes at least 64");
    }
    if (inspection.memory_limit_bytes < (std::uint64_t{128} << 20)) {
        throw ConfigError("inspection.memory_limit_bytes must be at least 134217728 (128 MiB): the inspector "
                          "process maps about 55 MiB of program and libraries before it reads a byte");
    }
    // Each inspection thread may run an inspector process of memory_limit_bytes; thousands of
    // threads are a typo, not a machine.
    if (config.io_threads > k_max_threads || config.work_threads > k_max_threads ||
        config.inspection_threads > k_max_threads) {
        throw ConfigError("server: io_threads, work_threads and inspection_threads must be at most 256 (0: per core)");
    }
    if (config.retention_days == 0) {
        throw ConfigError("storage.retention_days must be at least 1");
    }
    if (config.listen == config.admin_listen && config.listen.port != 0) {
        throw ConfigError("admin.listen must differ from server.listen");
    }
}

ThreadCounts thread_counts(const Config& config, unsigned cores) {
    const unsigned per_core = std::max(1u, cores);
    ThreadCounts counts;
    counts.io = config.io_threads != 0 ? config.io_threads : per_core;
    const unsigned two_per_core = std::min(2 * per_core, k_max_threads);
    counts.work = config.work_threads != 0 ? config.work_threads : two_per_core;
    counts.inspection = config.inspection_threads != 0 ? config.inspection_threads : two_per_core;
    return counts;
}

std::string describe(const Config& config) {
    std::ostringstream out;
    out << "listen:            " << config.listen.to_string() << (config.tls ? " (HTTPS)" : " (HTTP, no TLS)") << '\n'
        << "public origin:     " << config.origin() << '\n';
    if (config.tls) {
        out << "certificate:       " << config.tls->certificate_file.string() << '\n'
            << "private key:       " << config.tls->private_key_file.string() << '\n';
    }
    if (config.redirect_listen) {
        out << "HTTP redirect:     " << config.redirect_listen->to_string() << '\n';
    }
    out << "admin listener:    " << config.admin_listen.to_string() << " (/healthz, /readyz, /metrics)\n"
        << "data directory:    " << config.data_dir.string() << '\n'
        << "staff recipients:  " << config.recipients.size() << " listed"
        << (config.recipients_file.empty() ? "" : ", and those in " + config.recipients_file.string()) << '\n'
        << "retention:         " << config.retention_days << " days\n"
        << "max upload:        " << config.limits.max_upload_bytes << " bytes\n"
        << "inspection:        at most " << config.inspection.max_entries << " entries, "
        << config.inspection.time_limit.count() << " s, " << (config.inspection.memory_limit_bytes >> 20)
        << " MiB address space; " << config.inspection.policy.size() << " policy override(s)\n"
        << "trusted proxies:   " << config.trusted_proxies.size() << '\n';
    const ThreadCounts threads = thread_counts(config, std::thread::hardware_concurrency());
    out << "threads:           " << threads.io << " I/O, " << threads.work << " work, " << threads.inspection
        << " inspection\n";
    return out.str();
}

} // namespace supportdrop::config
