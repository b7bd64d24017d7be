// The inspection end to end: the real server, its sandboxed inspector, curl, and the default
// inspection policy.
#include "server_fixture.hpp"

namespace supportdrop::test {
namespace {

class InspectedUploads : public ReceiverTest {
protected:
    std::string inspection_policy() const override { return ""; }

    // Packs a case in the test directory with `script`; returns the archive's path.
    std::filesystem::path pack(const std::string& script, const std::string& output) {
        const auto packed = run_shell("set -e\n" + script, m_dir.path());
        EXPECT_EQ(packed.exit_code, 0) << packed.err;
        return m_dir / output;
    }
};

TEST_F(InspectedUploads, AnArchiveWithoutReadmeGets422InTheCustomersLanguageAndLeavesNothing) {
    const auto archive = pack("mkdir c && echo x > c/app.log && cd c && zip -q ../case.zip app.log", "case.zip");
    const StoredState before = stored_state();
    const auto german = upload(archive, "-H 'Accept-Language: de'");
    EXPECT_EQ(german.status, 422);
    EXPECT_NE(german.body.find("Ihr Archiv enthält keine Readme.txt."), std::string::npos) << german.body;
    EXPECT_NE(german.body.find("Bitte legen Sie eine Datei Readme.txt"), std::string::npos);
    const auto json = upload(archive, "-H 'Accept-Language: en' -H 'Accept: application/json'");
    EXPECT_EQ(json.status, 422);
    EXPECT_NE(json.body.find("\"code\":\"archive_rejected\""), std::string::npos) << json.body;
    EXPECT_NE(json.body.find("\"reasons\":[{\"code\":\"missing_readme\",\"message\":\"Your archive has no Readme.txt."),
              std::string::npos)
        << json.body;
    EXPECT_EQ(stored_state(), before);
    // The log says that, not why: the verdict is not logged.
    EXPECT_NE(m_server->log().find("upload.rejected reason=archive_rejected status=422"), std::string::npos);
    EXPECT_EQ(m_server->log().find("missing_readme"), std::string::npos);
}

TEST_F(InspectedUploads, AnAcceptedCaseCarriesItsInspectionInTheSealedManifestOnly) {
    const auto archive =
        pack("mkdir c && echo log > c/app.log && printf 'Der Export bricht seit Montag ab, bitte pruefen.\\n"
             "Name: Erika Mustermann\\nE-Mail: erika@example.com\\n' > c/Readme.txt && tar -czf case.tar.gz -C c .",
             "case.tar.gz");
    const auto result = upload(archive, "-H 'Accept: application/json'");
    ASSERT_EQ(result.status, 201) << result.body;
    EXPECT_NE(result.body.find("\"inspection\":{\"entries\":3,\"readme_found\":true,\"contact_found\":true,"
                               "\"encrypted\":false,\"warnings\":[]}"),
              std::string::npos)
        << result.body;
    const auto manifest = run_shell("age -d -i staff.key data/inbox/*.manifest.age", m_dir.path());
    ASSERT_EQ(manifest.exit_code, 0) << manifest.err;
    EXPECT_NE(manifest.out.find("\"email\":\"erika@example.com\""), std::string::npos) << manifest.out;
    EXPECT_NE(manifest.out.find("\"path\":\"./app.log\""), std::string::npos) << manifest.out;
    EXPECT_NE(manifest.out.find("\"verdict\":{\"accepted\":true"), std::string::npos);
    // Neither the database nor the log holds any of it.
    const auto database = run_shell("sqlite3 data/supportdrop.sqlite3 .dump", m_dir.path());
    for (const std::string secret : {"erika", "Mustermann", "app.log", "readme"}) {
        EXPECT_EQ(database.out.find(secret), std::string::npos) << secret;
        EXPECT_EQ(m_server->log().find(secret), std::string::npos) << secret;
    }
    // The receipt page right after the upload shows the findings.
    const auto page = upload(archive, "-H 'Accept-Language: en'");
    EXPECT_NE(page.body.find("What we found in your archive"), std::string::npos);
    EXPECT_NE(page.body.find("Contact data: found"), std::string::npos);
}

TEST_F(InspectedUploads, ALargeTarGzThatArrivesAloneIsInspectedWhileItArrives) {
    // 20 MiB that gzip cannot shrink, sent at 8 MB/s: while it arrives, a worker of this server's
    // fork server is already decompressing it.
    const auto archive =
        pack("mkdir c && printf 'Der Export bricht seit Montag ab, bitte pruefen.\\n"
             "E-Mail: erika@example.com\\n' > c/Readme.txt && head -c 20971520 /dev/urandom > c/data.bin"
             " && tar -czf case.tar.gz -C c Readme.txt data.bin && sha256sum case.tar.gz > case.sha256",
             "case.tar.gz");
    ASSERT_EQ(run_shell("(curl -sS --limit-rate 8M -H 'Accept: application/json' -F file=@case.tar.gz " +
                            m_server->url() + "/upload > result.json; touch done) > /dev/null 2>&1 &",
                        m_dir.path())
                  .exit_code,
              0);
    ASSERT_TRUE(wait_for_upload_in_progress());
    const std::string server = std::to_string(m_server->pid());
    const auto workers = run_shell("sleep 0.5; test ! -e done && pgrep -P \"$(pgrep -P " + server +
                                       " -x inspect-fork)\" -x inspect-worker | wc -l",
                                   m_dir.path());
    EXPECT_EQ(workers.out, "1\n") << workers.err;
    ASSERT_EQ(run_shell("for i in $(seq 300); do test -e done && break; sleep 0.1; done; test -e done", m_dir.path())
                  .exit_code,
              0);
    const std::string result = read_file_text(m_dir / "result.json");
    EXPECT_NE(result.find("\"sha256\":\"" + read_file_text(m_dir / "case.sha256").substr(0, 64) + "\""),
              std::string::npos)
        << result;
    EXPECT_NE(result.find("\"inspection\":{\"entries\":2,\"readme_found\":true,\"contact_found\":true,"),
              std::string::npos)
        << result;
    EXPECT_EQ(open_sealed_archive(), read_file(archive));
}

TEST_F(InspectedUploads, AnArchiveTheInspectorCannotFinishCouldNotBeProcessedAndTheServerCarriesOn) {
    const StoredState before = stored_state();
    const auto result = upload(k_archives / "test_read_filter_gzip_recursive.gz",
                               "-H 'Accept: application/json' -H 'Accept-Language: de'");
    EXPECT_EQ(result.status, 422);
    EXPECT_NE(result.body.find("\"code\":\"could_not_process\""), std::string::npos) << result.body;
    const std::size_t incident = result.body.find("\"incident\":\"INC-");
    ASSERT_NE(incident, std::string::npos) << result.body;
    EXPECT_NE(m_server->log().find("incident=" + result.body.substr(incident + 12, 13)), std::string::npos)
        << m_server->log();
    EXPECT_EQ(stored_state(), before);
    EXPECT_EQ(request(m_server->url() + "/").status, 200);
    // Nothing is left of the failed inspection's worker (its fork server reaps it as it ends).
    EXPECT_EQ(run_shell("for i in $(seq 100); do pgrep -x inspect-worker >/dev/null || break; sleep 0.01; done; "
                        "pgrep -c -x inspect-worker || true",
                        m_dir.path())
                  .out,
              "0\n");
}

class StuckInspector : public ReceiverTest {
protected:
    std::string extra_config() const override { return "[inspection]\ntime_limit_seconds = 3\n"; }
    // As many inspection threads as work threads: the test occupies all of them.
    std::string server_options() const override { return "inspection_threads = 2"; }

    HttpResult upload_sample() { return upload(k_archives / "test_read_format_zip.zip"); }

    std::string fork_server_pid() {
        auto found = run_shell("pgrep -x inspect-fork -P " + std::to_string(m_server->pid()));
        return found.out.substr(0, found.out.find('\n'));
    }
};

TEST_F(StuckInspector, PagesAndUploadsGoOnWhileInspectionsWait) {
    // The first upload starts the fork server; then it stops answering, and as many uploads as
    // the server has inspection threads (two) wait for their inspection until its time limit.
    ASSERT_EQ(upload_sample().status, 201);
    const std::string fork_server = fork_server_pid();
    ASSERT_FALSE(fork_server.empty());
    ASSERT_EQ(run_shell("kill -STOP " + fork_server).exit_code, 0);
    ASSERT_EQ(run_shell("for i in 1 2; do curl -sS -o /dev/null -w '%{http_code}\\n' -F file=@" +
                            shell_quote((k_archives / "test_read_format_zip.zip").string()) + " " + m_server->url() +
                            "/upload >> codes.txt & done",
                        m_dir.path())
                  .exit_code,
              0);
    for (int i = 0;
         i < 100 &&
         request(m_server->admin_url() + "/metrics").body.find("supportdrop_uploads_in_flight 2") == std::string::npos;
         ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200)); // both bodies are in by now

    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(request(m_server->url() + "/").status, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1))
        << "the page waited for the inspections";

    // Both waiting uploads get an answer; the stuck fork server is replaced.
    std::string codes;
    for (int i = 0; i < 150 && codes.size() < 8; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        codes = std::filesystem::exists(m_dir / "codes.txt") ? read_file_text(m_dir / "codes.txt") : "";
    }
    EXPECT_EQ(codes.size(), 8u) << codes << m_server->log();
    EXPECT_EQ(upload_sample().status, 201) << m_server->log();
}

} // namespace
} // namespace supportdrop::test
