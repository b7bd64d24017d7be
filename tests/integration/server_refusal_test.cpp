// The receiver's answers to bad input: the status, the message, and nothing left behind.

#include "integration/server_fixture.hpp"
#include "support/small_disk.hpp"

#include <chrono>

namespace supportdrop::test {
namespace {

class Refusals : public ReceiverTest {
protected:
    void SetUp() override {
        ReceiverTest::SetUp();
        m_before = stored_state();
    }

    // `result` has `status`, a JSON error `code`, and the store is as before.
    void expect_refusal(const HttpResult& result, int status, const std::string& code) {
        EXPECT_EQ(result.status, status) << result.body;
        EXPECT_NE(result.body.find("\"code\":\"" + code + "\""), std::string::npos) << result.body;
        expect_security_headers(result);
        EXPECT_EQ(stored_state(), m_before);
    }

    HttpResult upload_bytes(const std::string& name, const std::string& shell_to_make_it,
                            const std::string& arguments = "-H 'Accept: application/json' -H 'Accept-Language: en'") {
        EXPECT_EQ(run_shell(shell_to_make_it + " > " + shell_quote(name), m_dir.path()).exit_code, 0);
        return upload(m_dir / name, arguments);
    }

    // Sends raw bytes on a new connection and returns what came back within `seconds`.
    std::string raw_exchange(const std::string& printf_format, int seconds = 3) {
        const auto result = run_shell("timeout " + std::to_string(seconds) + " bash -c " +
                                          shell_quote("exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(m_server->port()) +
                                                      "; printf '" + printf_format + "' >&3; cat <&3"),
                                      m_dir.path());
        return result.out;
    }

    StoredState m_before;
};

TEST_F(Refusals, NamesWhatWasSentInsteadOfAnArchive) {
    const auto pdf = upload_bytes("report.zip", "printf '%%PDF-1.7\\n%%more'");
    expect_refusal(pdf, 415, "not_an_archive");
    EXPECT_NE(pdf.body.find("This is a PDF document, not an archive."), std::string::npos) << pdf.body;
    const auto png = upload_bytes("shot.png", "printf '\\211PNG\\r\\n\\032\\n0000'");
    expect_refusal(png, 415, "not_an_archive");
    EXPECT_NE(png.body.find("a PNG image"), std::string::npos);
    const auto random = upload_bytes("random.bin", "head -c 100000 /dev/urandom");
    expect_refusal(random, 415, "not_an_archive");
    // Large enough that the refusal of its first buffer overtakes the reading of the next ones
    // (body_feeder.hpp): the rest is read and discarded, nothing is kept.
    const auto large = upload_bytes("large.bin", "head -c 5000000 /dev/urandom");
    expect_refusal(large, 415, "not_an_archive");
    const auto text = upload_bytes("notes.txt", "echo 'just some notes'");
    expect_refusal(text, 415, "not_an_archive");
    EXPECT_NE(text.body.find("a text file"), std::string::npos);
    const auto german =
        upload_bytes("bericht.pdf", "printf '%%PDF-1.4'", "-H 'Accept: application/json' -H 'Accept-Language: de'");
    EXPECT_NE(german.body.find("Dies ist ein PDF-Dokument, kein Archiv."), std::string::npos) << german.body;
}

TEST_F(Refusals, EmptyFile) {
    expect_refusal(upload_bytes("empty.zip", "true"), 422, "empty_file");
}

TEST_F(Refusals, FormsWithoutExactlyOneFile) {
    const std::string zip = shell_quote("file=@" + (k_archives / "test_read_format_zip.zip").string());
    const std::string json = "-H 'Accept: application/json' ";
    expect_refusal(request(json + "-F note=hello " + m_server->url() + "/upload"), 400, "no_file");
    expect_refusal(request(json + "-F 'file=@/dev/null;filename=' " + m_server->url() + "/upload"), 400, "no_file");
    expect_refusal(request(json + "-F " + zip + " -F " + zip + " " + m_server->url() + "/upload"), 400,
                   "several_files");
}

TEST_F(Refusals, MalformedMultipart) {
    const std::string json = "-H 'Accept: application/json' ";
    const std::string zip = (k_archives / "test_read_format_zip.zip").string();
    expect_refusal(request(json + "-H 'Content-Type: multipart/form-data' --data-binary @" + zip + " " +
                           m_server->url() + "/upload"),
                   415, "not_multipart");
    expect_refusal(
        request(json + "-H 'Content-Type: application/zip' --data-binary @" + zip + " " + m_server->url() + "/upload"),
        415, "not_multipart");
    // A body that ends before the closing delimiter.
    ASSERT_EQ(
        run_shell(
            "printf -- '--XyZ\\r\\nContent-Disposition: form-data; name=\"file\"; filename=\"a.zip\"\\r\\n\\r\\n' > "
            "cut.body && cat " +
                zip + " >> cut.body",
            m_dir.path())
            .exit_code,
        0);
    expect_refusal(request(json + "-H 'Content-Type: multipart/form-data; boundary=XyZ' --data-binary @cut.body " +
                           m_server->url() + "/upload"),
                   400, "malformed_upload");
    expect_refusal(request(json + "-H 'Content-Type: multipart/form-data; boundary=XyZ' --data-binary 'garbage' " +
                           m_server->url() + "/upload"),
                   400, "malformed_upload");
}

TEST_F(Refusals, OversizeByContentLengthIsAnsweredBeforeTheBody) {
    const auto started = std::chrono::steady_clock::now();
    const std::string answer = raw_exchange(
        "POST /upload HTTP/1.1\\r\\nHost: x\\r\\nAccept: application/json\\r\\nContent-Type: multipart/form-data; "
        "boundary=b\\r\\nContent-Length: 60000000\\r\\n\\r\\n",
        2);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer;
    EXPECT_NE(answer.find("\"code\":\"too_large\""), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
    EXPECT_EQ(stored_state(), m_before);
}

TEST_F(Refusals, ExpectContinueGetsTheRefusalInsteadOfContinue) {
    const std::string answer = raw_exchange(
        "POST /upload HTTP/1.1\\r\\nHost: x\\r\\nExpect: 100-continue\\r\\nContent-Type: multipart/form-data; "
        "boundary=b\\r\\nContent-Length: 60000000\\r\\n\\r\\n",
        2);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer;
    EXPECT_EQ(answer.find("100 Continue"), std::string::npos);
}

TEST_F(Refusals, CsrfAndOrigin) {
    const std::string file = " -F " + shell_quote("file=@" + (k_archives / "test_read_format_zip.zip").string()) + " ";
    const std::string json = "-H 'Accept: application/json' ";
    // A browser request (it carries Origin) without the form's token.
    expect_refusal(request(json + "-H 'Origin: " + m_server->url() + "'" + file + m_server->url() + "/upload"), 403,
                   "csrf_failed");
    expect_refusal(request(json + "-H 'Cookie: sd_csrf=abc' " + file + "'" + m_server->url() + "/upload?csrf=wrong'"),
                   403, "csrf_failed");
    expect_refusal(request(json + "-H 'Origin: https://evil.example'" + file + m_server->url() + "/upload"), 403,
                   "foreign_origin");
    expect_refusal(request(json + "-H 'Sec-Fetch-Site: cross-site'" + file + m_server->url() + "/upload"), 403,
                   "foreign_origin");
}

TEST_F(Refusals, OversizedHeaders) {
    const auto result = request("-H 'Accept: application/json' -H 'X-Padding: " + std::string(20000, 'a') + "' " +
                                m_server->url() + "/");
    EXPECT_EQ(result.status, 431);
    expect_security_headers(result);
}

TEST_F(Refusals, UnsupportedMethodsAndUnknownPaths) {
    const auto put = request("-X PUT -H 'Accept: application/json' " + m_server->url() + "/upload");
    expect_refusal(put, 405, "method_not_allowed");
    EXPECT_EQ(put.header("Allow"), "POST");
    expect_refusal(request("-X DELETE -H 'Accept: application/json' " + m_server->url() + "/"), 405,
                   "method_not_allowed");
    expect_refusal(request("-H 'Accept: application/json' " + m_server->url() + "/etc/passwd"), 404, "not_found");
    expect_refusal(request("-H 'Accept: application/json' " + m_server->url() + "/receipt/AAAAAAAAAAAAAAAAAAAAAA"), 404,
                   "not_found");
    expect_refusal(request("-H 'Accept: application/json' " + m_server->url() + "/receipt/../../x"), 404, "not_found");
}

TEST_F(Refusals, ClientDisconnectMidUploadLeavesNothing) {
    write_file(m_dir / "big.tar", read_file(k_archives / "test_compat_gtar_1.tar"));
    ASSERT_EQ(run_shell("head -c 3000000 /dev/urandom >> big.tar", m_dir.path()).exit_code, 0);
    // curl gives up after 1.5 s, in the middle of the body, when the receiver has begun storing it.
    run_shell("curl -sS --limit-rate 1000k --max-time 1.5 -F file=@big.tar " + m_server->url() + "/upload",
              m_dir.path());
    for (int i = 0; i < 50 && stored_state() != m_before; ++i) {
        run_shell("sleep 0.1");
    }
    EXPECT_EQ(stored_state(), m_before);
    EXPECT_NE(m_server->log().find("upload.aborted"), std::string::npos);
}

TEST_F(Refusals, BodyShorterThanItsContentLengthLeavesNothing) {
    // The client declares 5 MB, sends a valid archive head and 1 MB, and closes.
    write_file(m_dir / "head.tar", read_file(k_archives / "test_compat_gtar_1.tar"));
    ASSERT_EQ(run_shell("head -c 1000000 /dev/urandom >> head.tar", m_dir.path()).exit_code, 0);
    const auto sent = run_shell(
        "timeout 5 bash -c " +
            shell_quote(
                "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(m_server->port()) +
                "; printf 'POST /upload HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: multipart/form-data; "
                "boundary=b0undary\\r\\nContent-Length: 5000000\\r\\n\\r\\n--b0undary\\r\\nContent-Disposition: "
                "form-data; name=\"file\"; filename=\"case.tar\"\\r\\n\\r\\n' >&3; cat head.tar >&3; "
                "exec 3>&-"),
        m_dir.path());
    ASSERT_EQ(sent.exit_code, 0) << sent.err;
    // The receiver logs the abort, then removes what it had stored.
    for (int i = 0;
         i < 50 && (m_server->log().find("upload.aborted") == std::string::npos || stored_state() != m_before); ++i) {
        run_shell("sleep 0.1");
    }
    EXPECT_NE(m_server->log().find("upload.aborted"), std::string::npos) << m_server->log();
    EXPECT_EQ(stored_state(), m_before);
}

class SmallLimits : public Refusals {
protected:
    std::string extra_config() const override {
        return "[limits]\nmax_upload_bytes = 1000000\nheader_timeout_seconds = 2\nmax_uploads_per_client_per_hour = "
               "3\n";
    }
};

TEST_F(SmallLimits, OversizeChunkedBodyIsRefusedWhileStreaming) {
    write_file(m_dir / "big.zip", read_file(k_archives / "test_read_format_zip.zip"));
    ASSERT_EQ(run_shell("head -c 2000000 /dev/urandom >> big.zip", m_dir.path()).exit_code, 0);
    const auto result = upload(m_dir / "big.zip", "-H 'Accept: application/json' -H 'Transfer-Encoding: chunked'");
    expect_refusal(result, 413, "too_large");
    // Without JavaScript a browser posts with Content-Length and sees the page, not a reset.
    const auto page = upload(m_dir / "big.zip", "-H 'Accept-Language: en' -H 'Expect:'");
    EXPECT_EQ(page.status, 413);
    EXPECT_NE(page.body.find("The file is larger than 1 MB."), std::string::npos) << page.body;
    EXPECT_EQ(stored_state(), m_before);
}

TEST_F(SmallLimits, SlowHeadersAreClosedAtTheDeadline) {
    const auto started = std::chrono::steady_clock::now();
    const std::string answer = raw_exchange("GET / HTTP/1.1\\r\\nHost: x\\r\\n", 6);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(answer, "");
    EXPECT_GE(elapsed, std::chrono::milliseconds(1800));
    EXPECT_LT(elapsed, std::chrono::seconds(5)) << "closed by the server, not by the test's timeout";
}

TEST_F(SmallLimits, UploadsPerClientPerHour) {
    for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(upload(k_archives / "test_read_format_zip.zip").status, 201);
    }
    m_before = stored_state();
    const auto refused = upload(k_archives / "test_read_format_zip.zip", "-H 'Accept: application/json'");
    expect_refusal(refused, 429, "too_many_uploads");
    EXPECT_GT(std::stoi(refused.header("Retry-After")), 0);
}

class FullDisk : public Refusals {
protected:
    std::string extra_config() const override { return "[limits]\nmin_free_disk_bytes = 1000000000000000000\n"; }
};

TEST_F(FullDisk, RefusesWhenTheDiskHasNoHeadroom) {
    const auto result = upload(k_archives / "test_read_format_zip.zip", "-H 'Accept: application/json'");
    expect_refusal(result, 507, "disk_full");
    EXPECT_NE(m_server->log().find("upload.rejected reason=disk_full status=507 cause=\""), std::string::npos)
        << m_server->log();
    EXPECT_NE(m_server->log().find("bytes free, less than the headroom and a whole upload\""), std::string::npos);
    EXPECT_EQ(request(m_server->admin_url() + "/readyz").status, 503);
}

// The disk fills up while an upload is on its way (other uploads, another program): there was
// room when it started. The data directory is a small disk of the test's own.
class DiskFillingUp : public Refusals {
protected:
    void SetUp() override {
        m_disk = SmallDisk::mount(m_dir / "data", "16m");
        if (!m_disk) {
            GTEST_SKIP() << "no mount namespace of its own for the small disk";
        }
        Refusals::SetUp();
    }
    void TearDown() override { m_server.reset(); } // before the disk goes
    std::string extra_config() const override {
        return "[limits]\nmax_upload_bytes = 8000000\nmin_free_disk_bytes = 0\n";
    }

    std::unique_ptr<SmallDisk> m_disk;
};

TEST_F(DiskFillingUp, AnUploadThatRunsOutOfSpaceIs507AndLeavesNothing) {
    write_file(m_dir / "big.tar", read_file(k_archives / "test_compat_gtar_1.tar"));
    ASSERT_EQ(run_shell("head -c 6000000 /dev/urandom >> big.tar", m_dir.path()).exit_code, 0);
    ASSERT_EQ(run_shell("(curl -sS -o refused.json -D refused.headers -w '%{http_code}' --limit-rate 2M "
                        "-H 'Accept: application/json' -H 'Accept-Language: en' -F file=@big.tar " +
                            m_server->url() + "/upload > status.txt 2>&1 &)",
                        m_dir.path())
                  .exit_code,
              0);
    ASSERT_TRUE(wait_for_upload_in_progress());
    m_disk->fill(); // another program takes the rest of the disk
    EXPECT_EQ(wait_for_file(m_dir / "status.txt", std::chrono::seconds(20)), "507");
    const std::string body = read_file_text(m_dir / "refused.json");
    EXPECT_NE(body.find("\"code\":\"disk_full\""), std::string::npos) << body;
    EXPECT_NE(body.find("The server has no room for more uploads right now."), std::string::npos) << body;
    EXPECT_NE(read_file_text(m_dir / "refused.headers").find("Retry-After: 300"), std::string::npos);
    EXPECT_NE(m_server->log().find("upload.rejected reason=disk_full status=507 cause=\"No space left on device\""),
              std::string::npos)
        << m_server->log();

    // Nothing of it is left; with room again, an upload is accepted.
    std::filesystem::remove(m_server->data_dir() / "filler");
    EXPECT_EQ(stored_state(), m_before);
    EXPECT_EQ(upload(k_archives / "test_read_format_zip.zip").status, 201);
}

} // namespace
} // namespace supportdrop::test
