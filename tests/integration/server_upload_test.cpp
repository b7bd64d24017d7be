// The receiver over HTTP: accepted uploads, sealed and durable.

#include "integration/server_fixture.hpp"

namespace supportdrop::test {
namespace {

class AcceptedUpload : public ReceiverTest, public testing::WithParamInterface<std::pair<const char*, const char*>> {};

TEST_P(AcceptedUpload, IsSealedForStaffAndAcknowledgedWithItsDigest) {
    const auto [name, type] = GetParam();
    const auto file = k_archives / name;
    const auto result = upload(file, "-H 'Accept: application/json'");
    ASSERT_EQ(result.status, 201) << result.body << m_server->log();
    EXPECT_NE(result.body.find("\"sha256\":\"" + file_sha256(file) + "\""), std::string::npos) << result.body;
    EXPECT_NE(result.body.find("\"archive_type\":\"" + std::string(type) + "\""), std::string::npos) << result.body;
    EXPECT_NE(result.body.find("\"reference\":\"SD-"), std::string::npos);
    EXPECT_TRUE(result.header("Location").starts_with("/receipt/"));
    expect_security_headers(result);

    EXPECT_EQ(open_sealed_archive(), read_file(file));
    EXPECT_EQ(stored_state().rows, "1/1/1\n");
    EXPECT_TRUE(stored_state().incoming.empty());

    const auto receipt = request(m_server->url() + result.header("Location"));
    EXPECT_EQ(receipt.status, 200);
    EXPECT_NE(receipt.body.find(file_sha256(file)), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Samples, AcceptedUpload,
                         testing::Values(std::pair{"test_read_format_zip.zip", "zip"},
                                         std::pair{"test_compat_gtar_1.tar", "tar"},
                                         std::pair{"test_pax_filename_encoding.tar", "tar"},
                                         std::pair{"test_compat_gzip_1.tgz", "gzip"},
                                         std::pair{"test_read_format_rar.rar", "rar4"},
                                         std::pair{"test_read_format_rar5_stored.rar", "rar5"}),
                         [](const auto& param) {
                             std::string name = param.param.first;
                             std::ranges::replace_if(
                                 name, [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
                             return name;
                         });

class ConcurrentUploads : public ReceiverTest {
protected:
    std::string extra_config() const override { return "[limits]\nmax_concurrent_uploads_per_client = 8\n"; }
};

TEST_F(ConcurrentUploads, LargeUploadsArriveIntactWhetherTheyRunAloneOrAmongMany) {
    // Six uploads of 3 MiB at once, slowed so that all are in flight together: the first ones
    // are read into two large buffers and hashed beside the sealing, and shrink their buffers once
    // the fifth is in flight; the fifth and sixth are read into one buffer and write their
    // archives past the page cache (body_feeder.hpp). Every receipt names the file's digest and
    // every sealed archive opens to exactly its bytes.
    ASSERT_EQ(run_shell("mkdir case && head -c 3145728 /dev/urandom >case/data.bin && "
                        "printf 'Export fails.\\nE-Mail: erika@example.com\\n' >case/Readme.txt && "
                        "tar -cf case.tar case",
                        m_dir.path())
                  .exit_code,
              0);
    const auto file = m_dir / "case.tar";
    const auto uploads = run_shell("for i in 1 2 3 4 5 6; do curl -sS --limit-rate 3M -H 'Accept: application/json' "
                                   "-o receipt$i.json -w '%{http_code}\\n' -F file=@case.tar " +
                                       m_server->url() + "/upload & done; wait",
                                   m_dir.path());
    EXPECT_EQ(uploads.out, "201\n201\n201\n201\n201\n201\n") << uploads.err << m_server->log();
    for (int i = 1; i <= 6; ++i) {
        const std::string receipt = read_file_text(m_dir / ("receipt" + std::to_string(i) + ".json"));
        EXPECT_NE(receipt.find("\"sha256\":\"" + file_sha256(file) + "\""), std::string::npos) << receipt;
    }
    std::size_t opened = 0;
    for (const auto& name : stored_state().inbox) {
        if (name.ends_with(".archive.age")) {
            const auto open = run_shell("age -d -i staff.key data/inbox/" + name + " | cmp - case.tar", m_dir.path());
            EXPECT_EQ(open.exit_code, 0) << name << ": " << open.out << open.err;
            ++opened;
        }
    }
    EXPECT_EQ(opened, 6u);
}

TEST_F(ReceiverTest, ChunkedBodyIsAcceptedLikeAFramedOne) {
    const auto file = k_archives / "test_compat_gtar_1.tar";
    const auto result = upload(file, "-H 'Transfer-Encoding: chunked' -H 'Accept: application/json'");
    ASSERT_EQ(result.status, 201) << result.body << m_server->log();
    EXPECT_NE(result.body.find(file_sha256(file)), std::string::npos) << result.body;
    EXPECT_EQ(open_sealed_archive(), read_file(file));
}

TEST_F(ReceiverTest, ServesTheRequestSentRightBehindAnUploadOnTheSameConnection) {
    // The body is read by its Content-Length straight from the socket: not one byte further, so
    // the request that follows it in the same write is answered next.
    const auto file = k_archives / "test_read_format_zip.zip";
    const std::string make_requests =
        "printf -- '--b0undary\\r\\nContent-Disposition: form-data; name=\"file\"; filename=\"case.zip\"\\r\\n\\r\\n' "
        "> body && cat " +
        shell_quote(file.string()) +
        " >> body && printf -- '\\r\\n--b0undary--\\r\\n' >> body && "
        "{ printf 'POST /upload HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nAccept: application/json\\r\\n"
        "Content-Type: multipart/form-data; boundary=b0undary\\r\\nContent-Length: %d\\r\\n\\r\\n' "
        "$(stat -c %s body) && cat body && "
        "printf 'GET /privacy HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n'; } > requests";
    ASSERT_EQ(run_shell(make_requests, m_dir.path()).exit_code, 0);
    const auto exchange =
        run_shell("timeout 10 bash -c " + shell_quote("exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(m_server->port()) +
                                                      "; cat requests >&3; cat <&3"),
                  m_dir.path());
    const auto receipt = exchange.out.find("HTTP/1.1 201");
    ASSERT_NE(receipt, std::string::npos) << exchange.out << m_server->log();
    EXPECT_NE(exchange.out.find("\"sha256\":\"" + file_sha256(file) + "\""), std::string::npos);
    EXPECT_NE(exchange.out.find("HTTP/1.1 200", receipt), std::string::npos) << exchange.out;
    EXPECT_EQ(open_sealed_archive(), read_file(file));
}

TEST_F(ReceiverTest, BrowsersGetAnHtmlReceiptInTheirLanguage) {
    const auto german =
        upload(k_archives / "test_read_format_zip.zip", "-H 'Accept-Language: de-DE,de;q=0.9,en;q=0.5'");
    ASSERT_EQ(german.status, 201);
    EXPECT_EQ(german.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(german.body.find("Empfangsbestätigung"), std::string::npos);
    EXPECT_NE(german.body.find("Vorgangsnummer"), std::string::npos);
    const auto english = upload(k_archives / "test_read_format_zip.zip", "-H 'Accept-Language: en-GB'");
    ASSERT_EQ(english.status, 201);
    EXPECT_NE(english.body.find("Your archive has arrived safely"), std::string::npos);
}

TEST_F(ReceiverTest, ReportsANameThatDisagreesWithTheContent) {
    std::filesystem::copy_file(k_archives / "test_read_format_zip.zip", m_dir / "logs.tar.gz");
    const auto result = upload(m_dir / "logs.tar.gz", "-H 'Accept: application/json'");
    ASSERT_EQ(result.status, 201);
    EXPECT_NE(result.body.find("{\"code\":\"extension_mismatch\""), std::string::npos) << result.body;
    const auto page = upload(m_dir / "logs.tar.gz", "-H 'Accept-Language: en'");
    EXPECT_NE(page.body.find("The file name does not match the content"), std::string::npos);
}

TEST_F(ReceiverTest, ServesPagesInBothLanguagesWithTheSwitch) {
    const auto german = request("-H 'Accept-Language: de' " + m_server->url() + "/");
    EXPECT_EQ(german.status, 200);
    EXPECT_NE(german.body.find("<html lang=\"de\">"), std::string::npos);
    EXPECT_NE(german.body.find("Dateien für Ihren Supportfall senden"), std::string::npos);
    EXPECT_NE(german.body.find("?lang=en"), std::string::npos);
    expect_security_headers(german);
    const auto switched = request("-H 'Accept-Language: de' '" + m_server->url() + "/?lang=en'");
    EXPECT_NE(switched.body.find("<html lang=\"en\">"), std::string::npos);
    EXPECT_NE(switched.header("Set-Cookie").find("sd_lang=en"), std::string::npos);
    const auto privacy = request("-H 'Accept-Language: en' " + m_server->url() + "/privacy");
    EXPECT_EQ(privacy.status, 200);
    EXPECT_NE(privacy.body.find("after 30 days"), std::string::npos) << "retention from the configuration";
    EXPECT_NE(privacy.body.find("number of keys: 1"), std::string::npos);
    EXPECT_NE(privacy.body.find("This server cannot read them after the upload."), std::string::npos);
    EXPECT_EQ(privacy.body.find("Demo mode"), std::string::npos) << "staff recipients are configured";
    const auto css = request(m_server->url() + "/static/style.css");
    EXPECT_EQ(css.status, 200);
    EXPECT_EQ(css.header("Content-Type"), "text/css; charset=utf-8");
}

TEST_F(ReceiverTest, BrowserFormWithItsCsrfTokenIsAccepted) {
    // The page sets the cookie and puts the token into the form's action.
    const auto page = request("-c cookies.txt " + m_server->url() + "/");
    const std::size_t start = page.body.find("/upload?csrf=");
    ASSERT_NE(start, std::string::npos);
    const std::string action = page.body.substr(start, page.body.find('"', start) - start);
    const auto result =
        request("-b cookies.txt -H 'Origin: " + m_server->url() + "' -H 'Sec-Fetch-Site: same-origin' -F " +
                shell_quote("file=@" + (k_archives / "test_read_format_zip.zip").string()) + " '" + m_server->url() +
                action + "'");
    EXPECT_EQ(result.status, 201) << result.body;
}

TEST_F(ReceiverTest, AcknowledgedUploadSurvivesAKill) {
    const auto result = upload(k_archives / "test_compat_gtar_1.tar", "-H 'Accept: application/json'");
    ASSERT_EQ(result.status, 201);
    m_server->kill();
    m_server->restart();
    EXPECT_EQ(open_sealed_archive(), read_file(k_archives / "test_compat_gtar_1.tar"));
    EXPECT_EQ(request(m_server->url() + result.header("Location")).status, 200);
    EXPECT_NE(m_server->log().find("unrecorded_removed=0"), std::string::npos);
}

TEST_F(ReceiverTest, KillMidUploadLeavesNothingAfterRestart) {
    // A valid archive head, then slow data: the server is killed while it is receiving.
    write_file(m_dir / "big.tar", read_file(k_archives / "test_compat_gtar_1.tar"));
    ASSERT_EQ(run_shell("head -c 3000000 /dev/urandom >> big.tar", m_dir.path()).exit_code, 0);
    const auto before = stored_state();
    ASSERT_EQ(
        run_shell("(curl -sS --limit-rate 200k -F file=@big.tar " + m_server->url() + "/upload > /dev/null 2>&1 &)",
                  m_dir.path())
            .exit_code,
        0);
    ASSERT_TRUE(wait_for_upload_in_progress());
    m_server->kill();
    m_server->restart();
    EXPECT_EQ(stored_state(), before);
    EXPECT_NE(m_server->log().find("incomplete_removed=1"), std::string::npos) << m_server->log();
}

TEST_F(ReceiverTest, RoomForAnUploadOfKnownLengthIsReservedAtItsStartAndGivenBackAtTheEnd) {
    // The disk room the sealed archive will need is taken at once (Content-Length), while its
    // file is still small; the committed archive holds no more than its bytes need.
    write_file(m_dir / "big.tar", read_file(k_archives / "test_compat_gtar_1.tar"));
    ASSERT_EQ(run_shell("head -c 3000000 /dev/urandom >> big.tar", m_dir.path()).exit_code, 0);
    ASSERT_EQ(run_shell("(curl -sS --limit-rate 1000k -o /dev/null -w '%{http_code}' -F file=@big.tar " +
                            m_server->url() + "/upload > status 2>/dev/null; echo done >> status) &",
                        m_dir.path())
                  .exit_code,
              0);
    ASSERT_TRUE(wait_for_upload_in_progress());
    const auto allocated_and_size = [&](const std::string& path) {
        return run_shell("stat -c '%b %B %s' " + path + " | awk '{print ($1 * $2 >= 3000000), ($3 < 3000000)}'",
                         m_server->data_dir())
            .out;
    };
    std::string incoming;
    for (const auto& name : stored_state().incoming) {
        if (name.find(".archive.age") != std::string::npos) {
            incoming = name;
        }
    }
    ASSERT_FALSE(incoming.empty());
    EXPECT_EQ(allocated_and_size("incoming/" + incoming), "1 1\n"); // room for all of it, not yet written
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (read_file_text(m_dir / "status").find("done") == std::string::npos &&
           std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(read_file_text(m_dir / "status"), "201done\n") << m_server->log();
    for (const auto& name : stored_state().inbox) {
        if (name.ends_with(".archive.age")) {
            const auto blocks = run_shell(
                "stat -c '%b %B %s' inbox/" + name + " | awk '{print ($1 * $2 <= $3 + 8192)}'", m_server->data_dir());
            EXPECT_EQ(blocks.out, "1\n") << name;
        }
    }
    EXPECT_EQ(open_sealed_archive(), read_file(m_dir / "big.tar"));
}

TEST_F(ReceiverTest, AdminListenerReportsHealthReadinessAndMetrics) {
    ASSERT_EQ(upload(k_archives / "test_read_format_zip.zip").status, 201);
    EXPECT_EQ(request(m_server->admin_url() + "/healthz").status, 200);
    EXPECT_EQ(request(m_server->admin_url() + "/readyz").status, 200);
    const auto metrics = request(m_server->admin_url() + "/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("supportdrop_uploads_accepted_total 1"), std::string::npos) << metrics.body;
    EXPECT_NE(metrics.body.find("supportdrop_upload_bytes_total 432"), std::string::npos);
    EXPECT_NE(metrics.body.find("supportdrop_upload_duration_seconds_count 1"), std::string::npos);
}

TEST_F(ReceiverTest, StopsGracefullyOnSigterm) {
    EXPECT_EQ(m_server->terminate(), 0);
    EXPECT_NE(m_server->log().find("serve.stopped"), std::string::npos);
}

TEST_F(ReceiverTest, LogsCarryNoClientData) {
    std::filesystem::copy_file(k_archives / "test_read_format_zip.zip", m_dir / "Max Mustermann secret.zip");
    ASSERT_EQ(upload(m_dir / "Max Mustermann secret.zip").status, 201);
    const std::string log = m_server->log();
    EXPECT_NE(log.find("upload.accepted ref=SD-"), std::string::npos) << log;
    EXPECT_EQ(log.find("Mustermann"), std::string::npos);
    EXPECT_EQ(log.find("127.0.0.1 "), std::string::npos);
    const auto database = run_shell("sqlite3 data/supportdrop.sqlite3 .dump | grep -c Mustermann", m_dir.path());
    EXPECT_EQ(database.out, "0\n");
}

TEST_F(ReceiverTest, DeletesUploadsPastTheirRetentionAtStart) {
    ASSERT_EQ(upload(k_archives / "test_compat_gtar_1.tar").status, 201);
    m_server->kill();
    // Age the upload by 31 days instead of waiting for them.
    ASSERT_EQ(run_shell("sqlite3 data/supportdrop.sqlite3 'UPDATE uploads SET sealed_at = sealed_at - 31 * 86400'",
                        m_dir.path())
                  .exit_code,
              0);
    m_server->restart();
    for (int i = 0; i < 50 && m_server->log().find("retention.expired uploads=1") == std::string::npos; ++i) {
        run_shell("sleep 0.1");
    }
    EXPECT_NE(m_server->log().find("retention.expired uploads=1"), std::string::npos) << m_server->log();
    EXPECT_TRUE(stored_state().inbox.empty());
    EXPECT_EQ(run_shell("sqlite3 data/supportdrop.sqlite3 \"SELECT state FROM uploads; SELECT transition FROM audit "
                        "ORDER BY id\"",
                        m_dir.path())
                  .out,
              "3\nsealed\nexpired\n");
}

TEST(DemoMode, GeneratesAPrivateIdentityAndSaysSoLoudly) {
    TempDir dir;
    ServerProcess server(dir.path(), "");
    EXPECT_NE(server.log().find("DEMO MODE: no staff recipients are configured"), std::string::npos) << server.log();
    const auto identity = server.data_dir() / "demo-identity.txt";
    ASSERT_TRUE(std::filesystem::exists(identity));
    EXPECT_EQ(std::filesystem::status(identity).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    // A case as a customer packs it, with the default inspection policy.
    const auto packed = run_shell("mkdir case && printf 'The nightly export stops with error 42 since Monday.\\n"
                                  "E-Mail: erika@example.com\\n' > case/Readme.txt && tar -cf case.tar -C case .",
                                  dir.path());
    ASSERT_EQ(packed.exit_code, 0) << packed.err;
    const auto result = curl(dir.path(), "-F file=@case.tar " + server.url() + "/upload");
    ASSERT_EQ(result.status, 201) << result.body;
    const auto opened =
        run_shell("age -d -i data/demo-identity.txt data/inbox/*.archive.age | cmp - case.tar", dir.path());
    EXPECT_EQ(opened.exit_code, 0) << opened.err;
    // The pages say so too, instead of promising that this server cannot read uploads.
    for (const char* path : {"/", "/privacy"}) {
        const auto page = curl(dir.path(), "-H 'Accept-Language: en' " + server.url() + path);
        EXPECT_NE(page.body.find("Demo mode: uploads are encrypted to a demo key that is kept on this server."),
                  std::string::npos)
            << path;
        EXPECT_EQ(page.body.find("cannot read"), std::string::npos) << path;
    }
    // The identity survives restarts: earlier uploads stay readable.
    const std::string first = read_file_text(identity);
    server.kill();
    server.restart();
    EXPECT_EQ(read_file_text(identity), first);
}

} // namespace
} // namespace supportdrop::test
