#pragma once
// A running receiver with a staff identity, in a temporary directory, for integration tests.

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

namespace supportdrop::test {

inline const std::string k_supportdrop = shell_quote(SUPPORTDROP_BINARY);
inline const std::filesystem::path k_archives = SUPPORTDROP_TEST_DATA_DIR "/archives";

// What the data directory and database hold: compared before and after a refused request.
struct StoredState {
    std::vector<std::string> inbox;
    std::vector<std::string> incoming;
    std::string rows; // row counts of uploads, audit, notifications
    friend bool operator==(const StoredState&, const StoredState&) = default;
};

inline std::ostream& operator<<(std::ostream& out, const StoredState& state) {
    out << "inbox=" << state.inbox.size() << " incoming=" << state.incoming.size() << " rows=" << state.rows;
    return out;
}

// The content of `path` once it exists and is not empty (what a command in the background
// writes there), or empty after `limit`.
inline std::string wait_for_file(const std::filesystem::path& path, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (std::filesystem::exists(path) && std::filesystem::file_size(path) > 0) {
            return read_file_text(path);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return {};
}

class ReceiverTest : public testing::Test {
protected:
    // More configuration tables for the server of this test, and more [server] options.
    virtual std::string extra_config() const { return ""; }
    virtual std::string server_options() const { return ""; }
    // The receiver tests upload libarchive's samples, which have no Readme: the Readme rules only
    // warn for them. The inspection's own end-to-end tests keep the default policy.
    virtual std::string inspection_policy() const {
        return "[inspection.policy]\nmissing_readme = \"warn\"\nreadme_no_contact = \"warn\"\n"
               "readme_no_concern = \"warn\"\n";
    }

    void SetUp() override {
        const auto keygen = run_shell(k_supportdrop + " keygen -o staff.key", m_dir.path());
        ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
        m_recipient = keygen.out.substr(0, keygen.out.find('\n'));
        m_server = std::make_unique<ServerProcess>(m_dir.path(), m_recipient, extra_config() + inspection_policy(),
                                                   server_options());
    }

    HttpResult request(const std::string& arguments) { return curl(m_dir.path(), arguments); }

    // Uploads `file` (a path) with curl -F and extra curl arguments.
    HttpResult upload(const std::filesystem::path& file, const std::string& arguments = "") {
        return request(arguments + " -F " + shell_quote("file=@" + file.string()) + " " + m_server->url() + "/upload");
    }

    StoredState stored_state() const {
        StoredState state;
        const auto data = m_server->data_dir();
        for (const auto& [directory, names] :
             {std::pair{data / "inbox", &state.inbox}, {data / "incoming", &state.incoming}}) {
            if (std::filesystem::exists(directory)) {
                for (const auto& entry : std::filesystem::directory_iterator(directory)) {
                    names->push_back(entry.path().filename().string());
                }
                std::ranges::sort(*names);
            }
        }
        state.rows = run_shell("sqlite3 data/supportdrop.sqlite3 'SELECT (SELECT count(*) FROM uploads) || \"/\" || "
                               "(SELECT count(*) FROM audit) || \"/\" || (SELECT count(*) FROM notifications)'",
                               m_dir.path())
                         .out;
        return state;
    }

    // Waits until an upload in progress has its encrypted file: the receiver starts it once its
    // first body buffer is full (up to 512 KiB, seconds at a limited rate).
    bool wait_for_upload_in_progress(std::chrono::seconds timeout = std::chrono::seconds(10)) const {
        const auto until = std::chrono::steady_clock::now() + timeout;
        while (stored_state().incoming.empty()) {
            if (std::chrono::steady_clock::now() >= until) {
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return true;
    }

    // Opens the sealed archive of the only upload with the staff identity, as staff would.
    std::vector<std::uint8_t> open_sealed_archive() {
        const auto state = stored_state();
        for (const auto& name : state.inbox) {
            if (name.ends_with(".archive.age")) {
                const auto opened = run_shell("age -d -i staff.key -o opened.bin data/inbox/" + name, m_dir.path());
                EXPECT_EQ(opened.exit_code, 0) << opened.err;
                auto bytes = read_file(m_dir / "opened.bin");
                std::filesystem::remove(m_dir / "opened.bin");
                return bytes;
            }
        }
        ADD_FAILURE() << "no sealed archive in the inbox";
        return {};
    }

    std::string file_sha256(const std::filesystem::path& file) {
        const auto result = run_shell("sha256sum " + shell_quote(file.string()));
        return result.out.substr(0, 64);
    }

    TempDir m_dir;
    std::string m_recipient;
    std::unique_ptr<ServerProcess> m_server;
};

// Asserts the headers every response must carry (DESIGN.md section 5, property 6).
inline void expect_security_headers(const HttpResult& result) {
    EXPECT_NE(result.header("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos)
        << result.headers;
    EXPECT_EQ(result.header("Content-Security-Policy").find("script-src"), std::string::npos);
    EXPECT_EQ(result.header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(result.header("Referrer-Policy"), "no-referrer");
    EXPECT_EQ(result.header("Server"), "");
}

} // namespace supportdrop::test
