// The receiver's time and count limits, proxies, and graceful shutdown.

#include "integration/server_fixture.hpp"

#include <chrono>
#include <csignal>
#include <thread>

namespace supportdrop::test {
namespace {

// A valid tar head followed by `size` random bytes, as `name` in the test directory.
void make_slow_archive(const TempDir& dir, const std::string& name, std::size_t size) {
    write_file(dir / name, read_file(k_archives / "test_compat_gtar_1.tar"));
    ASSERT_EQ(run_shell("head -c " + std::to_string(size) + " /dev/urandom >> " + name, dir.path()).exit_code, 0);
}

class ConnectionLimit : public ReceiverTest {
protected:
    std::string extra_config() const override { return "[limits]\nmax_connections_per_client = 2\n"; }
};

TEST_F(ConnectionLimit, RefusesMoreConnectionsFromOneClient) {
    const std::string port = std::to_string(m_server->port());
    // Two idle connections stay open while curl tries a third.
    const auto result =
        run_shell("bash -c " + shell_quote("exec 3<>/dev/tcp/127.0.0.1/" + port + "; exec 4<>/dev/tcp/127.0.0.1/" +
                                           port + "; sleep 0.3; curl -sS -D - -o /dev/null " + m_server->url() + "/"),
                  m_dir.path());
    EXPECT_NE(result.out.find("HTTP/1.1 429"), std::string::npos) << result.out << result.err;
    EXPECT_NE(result.out.find("Retry-After:"), std::string::npos);
    // Once they are closed, the client is welcome again.
    EXPECT_EQ(request(m_server->url() + "/").status, 200);
}

class SlowUploads : public ReceiverTest {
protected:
    std::string extra_config() const override {
        return "[limits]\nmin_upload_rate_bytes_per_second = 200000\nmin_upload_rate_window_seconds = 3\n"
               "drain_timeout_seconds = 2\nidle_timeout_seconds = 1\n";
    }
};

TEST_F(SlowUploads, TrickleBelowTheMinimumRateIsRefused) {
    make_slow_archive(m_dir, "slow.tar", 3'000'000);
    const auto before = stored_state();
    const auto result = upload(m_dir / "slow.tar", "--limit-rate 40k -H 'Accept: application/json'");
    EXPECT_EQ(result.status, 408) << result.body;
    EXPECT_NE(result.body.find("\"code\":\"timeout\""), std::string::npos);
    EXPECT_EQ(stored_state(), before);
}

TEST_F(SlowUploads, IdleKeepAliveConnectionsAreClosed) {
    const auto started = std::chrono::steady_clock::now();
    const auto result = run_shell(
        "timeout 8 bash -c " + shell_quote("exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(m_server->port()) +
                                           "; printf 'GET /privacy HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' >&3; cat <&3"),
        m_dir.path());
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(result.out.starts_with("HTTP/1.1 200")) << result.out;
    EXPECT_LT(elapsed, std::chrono::seconds(5)) << "the server closes the idle connection after 1 s";
}

class UploadDeadline : public ReceiverTest {
protected:
    std::string extra_config() const override {
        return "[limits]\nupload_timeout_seconds = 2\ndrain_timeout_seconds = 1\n";
    }
};

TEST_F(UploadDeadline, AnUploadTakingTooLongIsRefused) {
    make_slow_archive(m_dir, "slow.tar", 3'000'000);
    const auto before = stored_state();
    const auto result = upload(m_dir / "slow.tar", "--limit-rate 300k -H 'Accept: application/json'");
    EXPECT_EQ(result.status, 408) << result.body;
    EXPECT_EQ(stored_state(), before);
}

class TrustedProxy : public ReceiverTest {
protected:
    std::string extra_config() const override { return "[limits]\nmax_uploads_per_client_per_hour = 1\n"; }
    std::string server_options() const override { return "trusted_proxies = [\"127.0.0.1\"]\n"; }
};

TEST_F(TrustedProxy, CountsTheClientNamedByTheProxy) {
    const auto zip = k_archives / "test_read_format_zip.zip";
    EXPECT_EQ(upload(zip, "-H 'X-Forwarded-For: 203.0.113.1'").status, 201);
    EXPECT_EQ(upload(zip, "-H 'X-Forwarded-For: 203.0.113.1'").status, 429);
    EXPECT_EQ(upload(zip, "-H 'X-Forwarded-For: 203.0.113.2'").status, 201);
    EXPECT_EQ(upload(zip, "-H 'Forwarded: for=203.0.113.3'").status, 201);
}

class ConcurrencyLimits : public ReceiverTest {
protected:
    std::string extra_config() const override {
        return "[limits]\nmax_concurrent_uploads_per_client = 1\nmax_concurrent_uploads = 2\n";
    }
    std::string server_options() const override { return "trusted_proxies = [\"127.0.0.1\"]\n"; }

    // Starts a slow upload from `client` in the background; its status lands in `code_file`.
    void start_slow_upload(const std::string& client, const std::string& code_file) {
        ASSERT_EQ(
            run_shell("(curl -sS -o /dev/null -w '%{http_code}' --limit-rate 600k -H 'X-Forwarded-For: " + client +
                          "' -F file=@slow.tar " + m_server->url() + "/upload > " + code_file + " 2>&1 &)",
                      m_dir.path())
                .exit_code,
            0);
    }

    bool wait_for_uploads_in_flight(int count) {
        const std::string line = "supportdrop_uploads_in_flight " + std::to_string(count) + "\n";
        for (int i = 0; i < 100; ++i) {
            if (request(m_server->admin_url() + "/metrics").body.find(line) != std::string::npos) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }
};

TEST_F(ConcurrencyLimits, ConcurrentUploadsPerClientAndInAllAreBounded) {
    make_slow_archive(m_dir, "slow.tar", 1'500'000);
    const auto zip = k_archives / "test_read_format_zip.zip";
    start_slow_upload("203.0.113.1", "first.txt");
    ASSERT_TRUE(wait_for_uploads_in_flight(1));

    // The same client again, while its first upload runs: refused before any byte is stored.
    const auto second = upload(zip, "-H 'X-Forwarded-For: 203.0.113.1' -H 'Accept-Language: de'");
    EXPECT_EQ(second.status, 429) << second.body;
    EXPECT_EQ(second.header("Retry-After"), "30");
    EXPECT_NE(second.body.find("Es laufen gerade zu viele Uploads."), std::string::npos) << second.body;
    expect_security_headers(second);

    // Another client may upload, up to the limit for all clients together.
    start_slow_upload("203.0.113.2", "other.txt");
    ASSERT_TRUE(wait_for_uploads_in_flight(2));
    const auto third = upload(zip, "-H 'X-Forwarded-For: 203.0.113.3' -H 'Accept: application/json'");
    EXPECT_EQ(third.status, 429) << third.body;
    EXPECT_NE(third.body.find("\"code\":\"too_many_uploads\""), std::string::npos) << third.body;

    // Once the two are done, both clients are welcome again; the refused uploads left nothing.
    EXPECT_EQ(wait_for_file(m_dir / "first.txt", std::chrono::seconds(15)), "201");
    EXPECT_EQ(wait_for_file(m_dir / "other.txt", std::chrono::seconds(15)), "201");
    EXPECT_EQ(upload(zip, "-H 'X-Forwarded-For: 203.0.113.1'").status, 201);
    EXPECT_EQ(upload(zip, "-H 'X-Forwarded-For: 203.0.113.3'").status, 201);
    EXPECT_EQ(stored_state().inbox.size(), 8u); // four uploads, each an archive and a manifest
    EXPECT_TRUE(stored_state().incoming.empty());
}

class UntrustedProxy : public ReceiverTest {
protected:
    std::string extra_config() const override { return "[limits]\nmax_uploads_per_client_per_hour = 1\n"; }
};

TEST_F(UntrustedProxy, IgnoresForwardedHeadersFromOthers) {
    const auto zip = k_archives / "test_read_format_zip.zip";
    EXPECT_EQ(upload(zip, "-H 'X-Forwarded-For: 203.0.113.1'").status, 201);
    EXPECT_EQ(upload(zip, "-H 'X-Forwarded-For: 203.0.113.2'").status, 429);
}

TEST_F(ReceiverTest, SigtermLetsAnUploadInFlightFinish) {
    make_slow_archive(m_dir, "slow.tar", 1'500'000);
    ASSERT_EQ(run_shell("(curl -sS -o /dev/null -w '%{http_code}' --limit-rate 600k -F file=@slow.tar " +
                            m_server->url() + "/upload > code.txt 2>&1 &)",
                        m_dir.path())
                  .exit_code,
              0);
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    m_server->signal(SIGTERM);
    EXPECT_EQ(wait_for_file(m_dir / "code.txt", std::chrono::seconds(15)), "201");
    EXPECT_EQ(m_server->terminate(), 0) << m_server->log();
    EXPECT_EQ(stored_state().rows, "1/1/1\n");
}

class ShortShutdown : public ReceiverTest {
protected:
    std::string extra_config() const override { return "[limits]\nshutdown_timeout_seconds = 1\n"; }
};

TEST_F(ShortShutdown, SigtermAbortsUploadsThatDoNotFinishInTime) {
    make_slow_archive(m_dir, "slow.tar", 3'000'000);
    const auto before = stored_state();
    ASSERT_EQ(run_shell("(curl -sS -o /dev/null -w '%{http_code}' --limit-rate 200k -F file=@slow.tar " +
                            m_server->url() + "/upload > code.txt 2>&1 &)",
                        m_dir.path())
                  .exit_code,
              0);
    ASSERT_TRUE(wait_for_upload_in_progress());
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(m_server->terminate(), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
    EXPECT_NE(m_server->log().find("serve.aborting uploads_in_flight=1"), std::string::npos) << m_server->log();
    EXPECT_EQ(stored_state(), before);
}

} // namespace
} // namespace supportdrop::test
