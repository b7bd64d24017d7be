#include "config/config.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace supportdrop::config {
namespace {

class ConfigTest : public testing::Test {
protected:
    std::filesystem::path write(const std::string& text) {
        const auto path = m_dir / "supportdrop.toml";
        std::ofstream(path) << text;
        return path;
    }
    test::TempDir m_dir;
};

TEST_F(ConfigTest, DefaultsAreSafe) {
    const Config config;
    EXPECT_EQ(config.listen.to_string(), "127.0.0.1:8080");
    EXPECT_EQ(config.admin_listen.host, "127.0.0.1");
    EXPECT_EQ(config.limits.max_upload_bytes, 52'428'800u);
    EXPECT_FALSE(config.tls);
    EXPECT_NO_THROW(validate(config));
}

TEST_F(ConfigTest, ReadsEverySection) {
    const Config config = load_config(write(R"(
[server]
listen = "[::1]:8443"
public_url = "https://drop.example.com/"
trusted_proxies = ["127.0.0.1"]
[tls]
certificate_file = "cert.pem"
private_key_file = "/etc/key.pem"
redirect_listen = "0.0.0.0:80"
[admin]
listen = "127.0.0.1:9100"
[storage]
data_dir = "data"
retention_days = 14
[sealing]
recipients = ["age1abc"]
[limits]
max_upload_bytes = 1000
header_timeout_seconds = 5
[privacy]
controller = "Example GmbH"
)"));
    EXPECT_EQ(config.listen.host, "::1");
    EXPECT_EQ(config.listen.to_string(), "[::1]:8443");
    EXPECT_EQ(config.origin(), "https://drop.example.com");
    EXPECT_EQ(config.tls->certificate_file, m_dir / "cert.pem");
    EXPECT_EQ(config.tls->private_key_file, "/etc/key.pem");
    EXPECT_EQ(config.redirect_listen->port, 80);
    EXPECT_EQ(config.data_dir, m_dir / "data");
    EXPECT_EQ(config.retention_days, 14u);
    EXPECT_EQ(config.recipients, std::vector<std::string>{"age1abc"});
    EXPECT_EQ(config.limits.max_upload_bytes, 1000u);
    EXPECT_EQ(config.limits.header_timeout, std::chrono::seconds(5));
    EXPECT_EQ(config.privacy.controller, "Example GmbH");
}

TEST_F(ConfigTest, NamesTheFileLineAndKeyOfAMistake) {
    const auto expect_error = [&](const std::string& text, const std::string& expected) {
        try {
            load_config(write(text));
            ADD_FAILURE() << "no error for: " << text;
        } catch (const ConfigError& error) {
            EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
        }
    };
    expect_error("[server]\nlisen = \"x:1\"\n", "supportdrop.toml:2: server.lisen: unknown option");
    expect_error("[limits]\nmax_upload_bytes = -1\n", "limits.max_upload_bytes: expected a non-negative whole number");
    expect_error("[limits]\nheader_timeout_seconds = 0\n", "expected a positive number of seconds");
    expect_error("[server]\nlisten = \"nocolon\"\n", "expected HOST:PORT");
    expect_error("[server]\nlisten = \"h:99999\"\n", "invalid port");
    expect_error("[tls]\ncertificate_file = \"c\"\n", "certificate_file and private_key_file are both required");
    expect_error("[storage]\nretention_days = 0\n", "retention_days must be at least 1");
    expect_error("[server]\ninspection_threads = 100000\n", "inspection_threads must be at most 256");
    expect_error("server = 1\n", "expected a [server] table");
    expect_error("[server\n", "supportdrop.toml:1");
    expect_error("[sealing]\nrecipients = \"age1\"\n", "expected a list of strings");
    expect_error("[inspection.policy]\nmissing_readme = \"maybe\"\n",
                 "supportdrop.toml:2: inspection.policy.missing_readme: expected \"reject\" or \"warn\"");
    expect_error("[inspection]\nmemory_limit_bytes = 1000\n", "inspection.memory_limit_bytes must be at least");
    expect_error("[inspection]\nmax_entries = 0\n", "inspection: max_entries");
}

} // namespace
} // namespace supportdrop::config

namespace supportdrop::config {
namespace {

// The example file documents every option with its default: loading it must give the defaults.
TEST(ExampleConfig, ShowsExactlyTheDefaults) {
    const std::filesystem::path example = SUPPORTDROP_SOURCE_DIR "/config/supportdrop.example.toml";
    const Config loaded = load_config(example);
    const Config defaults;
    EXPECT_EQ(loaded.listen, defaults.listen);
    EXPECT_EQ(loaded.public_url, defaults.public_url);
    EXPECT_EQ(loaded.trusted_proxies, defaults.trusted_proxies);
    EXPECT_EQ(loaded.io_threads, defaults.io_threads);
    EXPECT_EQ(loaded.work_threads, defaults.work_threads);
    EXPECT_EQ(loaded.inspection_threads, defaults.inspection_threads);
    EXPECT_FALSE(loaded.tls);
    EXPECT_FALSE(loaded.redirect_listen);
    EXPECT_EQ(loaded.admin_listen, defaults.admin_listen);
    EXPECT_EQ(loaded.data_dir, example.parent_path() / defaults.data_dir);
    EXPECT_EQ(loaded.retention_days, defaults.retention_days);
    EXPECT_EQ(loaded.recipients, defaults.recipients);
    EXPECT_EQ(loaded.recipients_file, defaults.recipients_file);
    const Limits& a = loaded.limits;
    const Limits& b = defaults.limits;
    EXPECT_EQ(a.max_upload_bytes, b.max_upload_bytes);
    EXPECT_EQ(a.max_header_bytes, b.max_header_bytes);
    EXPECT_EQ(a.header_timeout, b.header_timeout);
    EXPECT_EQ(a.idle_timeout, b.idle_timeout);
    EXPECT_EQ(a.upload_timeout, b.upload_timeout);
    EXPECT_EQ(a.min_upload_rate_bytes_per_second, b.min_upload_rate_bytes_per_second);
    EXPECT_EQ(a.min_upload_rate_window, b.min_upload_rate_window);
    EXPECT_EQ(a.max_connections_per_client, b.max_connections_per_client);
    EXPECT_EQ(a.max_concurrent_uploads_per_client, b.max_concurrent_uploads_per_client);
    EXPECT_EQ(a.max_uploads_per_client_per_hour, b.max_uploads_per_client_per_hour);
    EXPECT_EQ(a.max_concurrent_uploads, b.max_concurrent_uploads);
    EXPECT_EQ(a.min_free_disk_bytes, b.min_free_disk_bytes);
    EXPECT_EQ(a.drain_timeout, b.drain_timeout);
    EXPECT_EQ(a.drain_max_bytes, b.drain_max_bytes);
    EXPECT_EQ(a.shutdown_timeout, b.shutdown_timeout);
    const Inspection& c = loaded.inspection;
    const Inspection& d = defaults.inspection;
    EXPECT_EQ(c.max_entries, d.max_entries);
    EXPECT_EQ(c.max_total_bytes, d.max_total_bytes);
    EXPECT_EQ(c.max_compression_ratio, d.max_compression_ratio);
    EXPECT_EQ(c.max_unpacked_bytes, d.max_unpacked_bytes);
    EXPECT_EQ(c.max_path_bytes, d.max_path_bytes);
    EXPECT_EQ(c.min_concern_letters, d.min_concern_letters);
    EXPECT_EQ(c.time_limit, d.time_limit);
    EXPECT_EQ(c.memory_limit_bytes, d.memory_limit_bytes);
    EXPECT_EQ(c.policy, d.policy);
    EXPECT_EQ(loaded.privacy.controller, defaults.privacy.controller);
    EXPECT_EQ(loaded.privacy.contact, defaults.privacy.contact);
}

} // namespace
} // namespace supportdrop::config

namespace supportdrop::config {
namespace {

TEST(ThreadCounts, ZeroMeansOneIoThreadAndTwoOthersPerCore) {
    Config config;
    const ThreadCounts defaults = thread_counts(config, 8);
    EXPECT_EQ(defaults.io, 8u);
    EXPECT_EQ(defaults.work, 16u);
    EXPECT_EQ(defaults.inspection, 16u);
    EXPECT_EQ(thread_counts(config, 200).work, 256u); // at most 256
    config.work_threads = 3;
    EXPECT_EQ(thread_counts(config, 8).inspection, 16u);
    config.inspection_threads = 5;
    config.io_threads = 2;
    const ThreadCounts set = thread_counts(config, 8);
    EXPECT_EQ(set.io, 2u);
    EXPECT_EQ(set.work, 3u);
    EXPECT_EQ(set.inspection, 5u);
    const Config unset;
    EXPECT_EQ(thread_counts(unset, 0).io, 1u); // a machine that does not say has one core
    EXPECT_EQ(thread_counts(unset, 0).work, 2u);
}

} // namespace
} // namespace supportdrop::config
