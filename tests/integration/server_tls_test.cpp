// The receiver over native HTTPS with a test CA made at test time.

#include "integration/server_fixture.hpp"

#include <csignal>
#include <thread>

namespace supportdrop::test {
namespace {

// Makes a CA and a server certificate for 127.0.0.1 with openssl, in `directory`.
void make_certificates(const std::filesystem::path& directory, const std::string& common_name) {
    const std::string script =
        "set -e\n"
        "[ -f ca.key ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key "
        "-out ca.crt -subj /CN=supportdrop-test-ca -days 2 2>/dev/null\n"
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key.new -out server.csr "
        "-subj /CN=" +
        common_name +
        " 2>/dev/null\n"
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext\n"
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt.new -days 2 "
        "-extfile san.ext 2>/dev/null\n"
        "mv server.key.new server.key && mv server.crt.new server.crt\n";
    const auto result = run_shell(script, directory.string());
    ASSERT_EQ(result.exit_code, 0) << result.err;
}

class TlsReceiver : public ReceiverTest {
protected:
    std::string extra_config() const override {
        return "[tls]\ncertificate_file = \"server.crt\"\nprivate_key_file = \"server.key\"\n"
               "redirect_listen = \"127.0.0.1:0\"\n";
    }
    void SetUp() override {
        make_certificates(m_dir.path(), "first.test");
        ReceiverTest::SetUp();
    }

    // Whether a handshake with these openssl s_client options succeeds.
    bool handshake(const std::string& options) {
        return run_shell("openssl s_client -connect 127.0.0.1:" + std::to_string(m_server->port()) + " " + options +
                             " -CAfile ca.crt -verify_return_error < /dev/null > handshake.out 2>&1",
                         m_dir.path())
                   .exit_code == 0;
    }

    // What openssl s_client prints of a connection it keeps open for half a second after the
    // handshake: long enough to read what the server sends after it (TLS 1.3 session tickets).
    std::string session_report(const std::string& options) {
        return run_shell("sleep 0.5 | openssl s_client -connect 127.0.0.1:" + std::to_string(m_server->port()) + " " +
                             options + " -CAfile ca.crt -verify_return_error 2>&1",
                         m_dir.path())
            .out;
    }
};

TEST_F(TlsReceiver, AcceptsUploadsOverHttpsWithHsts) {
    ASSERT_TRUE(m_server->url().starts_with("https://"));
    const auto result = upload(k_archives / "test_compat_gzip_1.tgz", "--cacert ca.crt -H 'Accept: application/json'");
    ASSERT_EQ(result.status, 201) << result.body << m_server->log();
    EXPECT_NE(result.body.find(file_sha256(k_archives / "test_compat_gzip_1.tgz")), std::string::npos);
    EXPECT_NE(result.header("Strict-Transport-Security").find("max-age="), std::string::npos);
    expect_security_headers(result);
    EXPECT_EQ(open_sealed_archive(), read_file(k_archives / "test_compat_gzip_1.tgz"));

    const auto error = request("--cacert ca.crt " + m_server->url() + "/missing");
    EXPECT_EQ(error.status, 404);
    EXPECT_NE(error.header("Strict-Transport-Security").find("max-age="), std::string::npos);
    expect_security_headers(error);
    const auto page = request("--cacert ca.crt " + m_server->url() + "/");
    EXPECT_NE(page.header("Set-Cookie").find("; Secure"), std::string::npos);
}

TEST_F(TlsReceiver, RefusesTls10And11) {
    // The client is allowed to offer old versions (security level 0); the server refuses them.
    EXPECT_FALSE(handshake("-tls1 -cipher DEFAULT@SECLEVEL=0"));
    EXPECT_FALSE(handshake("-tls1_1 -cipher DEFAULT@SECLEVEL=0"));
    EXPECT_TRUE(handshake("-tls1_2"));
    EXPECT_TRUE(handshake("-tls1_3"));
    // TLS 1.2 only with ECDHE and AEAD.
    EXPECT_FALSE(handshake("-tls1_2 -cipher AES128-SHA256:AES256-GCM-SHA384"));
    EXPECT_TRUE(handshake("-tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305"));
}

TEST_F(TlsReceiver, IssuesNoSessionTickets) {
    for (const auto& [option, version] : {std::pair{"-tls1_3", "New, TLSv1.3"}, std::pair{"-tls1_2", "New, TLSv1.2"}}) {
        const std::string report = session_report(option);
        ASSERT_NE(report.find(version), std::string::npos) << report;
        ASSERT_NE(report.find("Verify return code: 0 (ok)"), std::string::npos) << report;
        EXPECT_EQ(report.find("New Session Ticket"), std::string::npos) << report;
        EXPECT_EQ(report.find("TLS session ticket:"), std::string::npos) << report;
    }
}

TEST_F(TlsReceiver, ReloadsTheCertificateOnSighup) {
    ASSERT_TRUE(handshake("-tls1_3"));
    EXPECT_NE(read_file_text(m_dir / "handshake.out").find("CN = first.test"), std::string::npos);
    make_certificates(m_dir.path(), "second.test");
    m_server->signal(SIGHUP);
    for (int i = 0; i < 50 && m_server->log().find("tls.reloaded") == std::string::npos; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(handshake("-tls1_3"));
    EXPECT_NE(read_file_text(m_dir / "handshake.out").find("CN = second.test"), std::string::npos);
}

TEST_F(TlsReceiver, PlainHttpListenerOnlyRedirects) {
    const std::string redirect = m_server->listener_url("redirect");
    ASSERT_FALSE(redirect.empty());
    const auto page = request(redirect + "/privacy?lang=en");
    EXPECT_EQ(page.status, 301);
    EXPECT_EQ(page.header("Location"), m_server->url() + "/privacy?lang=en");
    const auto post = request("-X POST " + redirect + "/upload");
    EXPECT_EQ(post.status, 405);
    expect_security_headers(post);
}

} // namespace
} // namespace supportdrop::test
