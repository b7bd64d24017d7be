#include "inspector/sandboxed_inspector.hpp"

#include "inspector/channel.hpp"
#include "inspector/errors.hpp"
#include "inspector/fork_server.hpp"
#include "inspector/live_feed.hpp"

#include <array>
#include <csignal>
#include <fcntl.h>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

// glibc 2.36's header lacks the C linkage block.
extern "C" {
#include <sys/pidfd.h>
}

namespace supportdrop::inspector {
namespace {

// The fork server, our child. When this goes, the process has a moment to end on its own (it
// does as soon as its control socket is closed and the workers it made have ended), then it is
// killed, and either way it is reaped: so the fork server reaps its workers, and none is left
// to an init that may not.
class Child {
public:
    explicit Child(pid_t pid) : m_pid(pid) {}
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() { stop(); }

    // Whether the process still runs (one that ended is reaped).
    bool running() {
        if (m_pid > 0 && ::waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
            m_pid = -1;
        }
        return m_pid > 0;
    }

private:
    static constexpr int k_grace_ms = 1000;

    void stop() {
        if (m_pid <= 0) {
            return;
        }
        const util::UniqueFd pidfd(::pidfd_open(m_pid, 0));
        pollfd ended{pidfd.get(), POLLIN, 0};
        if (!pidfd || ::poll(&ended, 1, k_grace_ms) != 1) {
            ::kill(m_pid, SIGKILL);
        }
        while (::waitpid(m_pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        m_pid = -1;
    }

    pid_t m_pid;
};

// A worker, through its pidfd (it is the fork server's child, not ours); killed when this goes,
// whatever it was doing, and gone when the destructor returns.
class WorkerProcess {
public:
    explicit WorkerProcess(util::UniqueFd pidfd) : m_pidfd(std::move(pidfd)) {}
    WorkerProcess(WorkerProcess&&) noexcept = default;
    WorkerProcess& operator=(WorkerProcess&&) = delete;
    WorkerProcess(const WorkerProcess&) = delete;
    WorkerProcess& operator=(const WorkerProcess&) = delete;
    ~WorkerProcess() { stop(); }

    // Kills the process if it still runs and waits until it has ended (the pidfd turns
    // readable when it has).
    void stop() {
        if (!m_pidfd) {
            return;
        }
        ::pidfd_send_signal(m_pidfd.get(), SIGKILL, nullptr, 0);
        pollfd ended{m_pidfd.get(), POLLIN, 0};
        while (::poll(&ended, 1, -1) < 0 && errno == EINTR) {
        }
        m_pidfd.reset();
    }

private:
    util::UniqueFd m_pidfd;
};

class SpawnSettings {
public:
    SpawnSettings() {
        ::posix_spawn_file_actions_init(&m_actions);
        ::posix_spawnattr_init(&m_attributes);
    }
    SpawnSettings(const SpawnSettings&) = delete;
    SpawnSettings& operator=(const SpawnSettings&) = delete;
    ~SpawnSettings() {
        ::posix_spawn_file_actions_destroy(&m_actions);
        ::posix_spawnattr_destroy(&m_attributes);
    }

    // The child gets /dev/null for input and output, the socket as descriptor 3, nothing else
    // (standard error stays: the C library's last words on a crash belong in the service log),
    // default signal handling, no blocked signals, and a process group of its own: Ctrl-C in a
    // terminal interrupts the receiver, which shuts down gracefully and still needs its
    // inspectors for the uploads it finishes.
    bool prepare(int socket) {
        sigset_t none;
        sigset_t defaults;
        sigemptyset(&none);
        sigfillset(&defaults);
        return ::posix_spawn_file_actions_addopen(&m_actions, 0, "/dev/null", O_RDONLY, 0) == 0 &&
               ::posix_spawn_file_actions_addopen(&m_actions, 1, "/dev/null", O_WRONLY, 0) == 0 &&
               ::posix_spawn_file_actions_adddup2(&m_actions, socket, k_fork_server_control_fd) == 0 &&
               ::posix_spawn_file_actions_addclosefrom_np(&m_actions, k_fork_server_control_fd + 1) == 0 &&
               ::posix_spawnattr_setsigmask(&m_attributes, &none) == 0 &&
               ::posix_spawnattr_setsigdefault(&m_attributes, &defaults) == 0 &&
               ::posix_spawnattr_setpgroup(&m_attributes, 0) == 0 &&
               ::posix_spawnattr_setflags(&m_attributes,
                                          POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP) == 0;
    }

    const posix_spawn_file_actions_t* actions() const { return &m_actions; }
    const posix_spawnattr_t* attributes() const { return &m_attributes; }

private:
    posix_spawn_file_actions_t m_actions{};
    posix_spawnattr_t m_attributes{};
};

// Decrypts the bytes asked for straight into the window asked for, and says how many there were.
util::Result<void> serve_read(Channel& channel, util::RandomAccessSource& plaintext, const SharedWindows& windows,
                              const ReadRequest& request) {
    auto n = plaintext.read_at(request.offset, windows.window(request.window).first(request.length));
    if (!n) {
        return Errc::read_failed;
    }
    return channel.send(MessageType::data, encode_data(static_cast<std::uint32_t>(*n)));
}

util::Result<void> serve_size(Channel& channel, util::RandomAccessSource& plaintext) {
    auto size = plaintext.size();
    if (!size) {
        return Errc::read_failed;
    }
    return channel.send(MessageType::size, encode_size(*size));
}

util::Result<void> serve(Channel& channel, util::RandomAccessSource& plaintext, const SharedWindows& windows,
                         const WorkerRequest& request) {
    if (request.type == MessageType::ask_size) {
        return serve_size(channel, plaintext);
    }
    return serve_read(channel, plaintext, windows, request.read);
}

// A process that goes away mid-conversation (closed socket, broken pipe) crashed or was killed
// by its limits; the other failures say what they are.
util::ErrorCode conversation_error(const util::ErrorCode& error) {
    if (error == Errc::timed_out || error == Errc::protocol_error || error == Errc::read_failed) {
        return error;
    }
    return Errc::crashed;
}

} // namespace

// The fork server and our end of its control socket. The socket is closed first, which tells
// the process to end, then the process goes (see Child).
struct SandboxedInspector::ForkServer {
    std::optional<Child> process;
    util::UniqueFd control;
    unsigned workers_made = 0;
};

// A worker, not yet given its job, our end of its socket and our mapping of its windows. The
// process goes first, then the windows are unmapped and the socket is closed.
struct SandboxedInspector::Worker {
    Worker(util::UniqueFd socket_end, SharedWindows shared_windows, WorkerProcess worker_process)
        : socket(std::move(socket_end)), windows(std::move(shared_windows)), process(std::move(worker_process)) {}

    util::UniqueFd socket;
    SharedWindows windows;
    WorkerProcess process;
};

SandboxedInspector::SandboxedInspector(SandboxedInspectorSettings settings) : m_settings(std::move(settings)) {}

SandboxedInspector::~SandboxedInspector() = default;

std::unique_ptr<SandboxedInspector::ForkServer> SandboxedInspector::start_fork_server() const {
    std::array<int, 2> sockets{};
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets.data()) != 0) {
        return nullptr;
    }
    auto fork_server = std::make_unique<ForkServer>();
    fork_server->control.reset(sockets[0]);
    const util::UniqueFd theirs(sockets[1]);
    SpawnSettings spawn;
    if (!spawn.prepare(theirs.get())) {
        return nullptr;
    }
    const std::string executable = m_settings.executable.string();
    std::array<char*, 3> argv = {const_cast<char*>("supportdrop"), const_cast<char*>("inspect-forkserver"), nullptr};
    // UTC: without TZ, every local-time conversion (libarchive's of ZIP's DOS times) would
    // try /etc/localtime again, which the sandbox does not let a worker open. LD_BIND_NOW: the
    // libraries' calls into each other are resolved once, in the fork server, not lazily in
    // every worker.
    std::array<char*, 3> environment = {const_cast<char*>("TZ=UTC"), const_cast<char*>("LD_BIND_NOW=1"), nullptr};
    pid_t pid = -1;
    if (::posix_spawn(&pid, executable.c_str(), spawn.actions(), spawn.attributes(), argv.data(), environment.data()) !=
        0) {
        return nullptr;
    }
    fork_server->process.emplace(pid);
    return fork_server;
}

util::Result<ForkedWorker> SandboxedInspector::request_worker_locked(std::chrono::steady_clock::time_point deadline) {
    std::erase_if(m_retired, [](const std::unique_ptr<ForkServer>& retired) { return !retired->process->running(); });
    if (m_fork_server && m_fork_server->workers_made >= k_workers_per_fork_server) {
        m_fork_server->control.reset(); // it finishes its workers, then exits
        m_retired.push_back(std::move(m_fork_server));
    }
    // A fork server may have been ended meanwhile (by an administrator, or the kernel under
    // memory pressure), even while it is asked: then a new one does the work.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (m_fork_server && !m_fork_server->process->running()) {
            m_fork_server.reset();
        }
        if (!m_fork_server) {
            m_fork_server = start_fork_server();
            if (!m_fork_server) {
                return Errc::spawn_failed;
            }
        }
        auto forked = request_worker(m_fork_server->control.get(), deadline);
        if (forked) {
            ++m_fork_server->workers_made;
            return forked;
        }
        if (forked.error() == Errc::spawn_failed) {
            return forked.error();
        }
        m_fork_server.reset(); // gone, broken, or silent: of no further use
        if (forked.error() == Errc::timed_out) {
            return forked.error();
        }
    }
    return Errc::spawn_failed;
}

util::Result<std::unique_ptr<SandboxedInspector::Worker>>
SandboxedInspector::take_worker(std::chrono::steady_clock::time_point deadline) {
    util::Result<ForkedWorker> forked = Errc::spawn_failed;
    {
        const std::scoped_lock lock(m_mutex);
        forked = request_worker_locked(deadline);
    }
    if (!forked) {
        return forked.error();
    }
    WorkerProcess process(std::move(forked->process)); // killed if it goes unused
    auto windows = SharedWindows::map(forked->shared_windows.get(), SharedWindows::Access::write);
    if (!windows) {
        return Errc::spawn_failed;
    }
    return std::make_unique<Worker>(std::move(forked->socket), std::move(*windows), std::move(process));
}

util::Result<InspectionReport> SandboxedInspector::inspect(util::RandomAccessSource& plaintext) {
    auto size = plaintext.size();
    if (!size) {
        return Errc::read_failed;
    }
    const auto deadline = std::chrono::steady_clock::now() + m_settings.wall_clock;
    auto worker = take_worker(deadline);
    if (!worker) {
        return worker.error();
    }
    if (auto sent = send_job(**worker, *size, deadline); !sent) {
        return sent.error();
    }
    return converse(**worker, plaintext, deadline); // the worker, if it still runs, is killed as it goes
}

util::Result<void> SandboxedInspector::send_job(Worker& worker, std::uint64_t upload_size,
                                                std::chrono::steady_clock::time_point deadline) const {
    Job job;
    job.upload_size = upload_size;
    job.limits = m_settings.limits;
    job.memory_limit_bytes = m_settings.memory_bytes;
    job.cpu_limit_seconds =
        static_cast<std::uint64_t>(std::chrono::ceil<std::chrono::seconds>(m_settings.wall_clock).count());
    Channel channel(worker.socket.get(), deadline);
    if (auto sent = channel.send(MessageType::job, encode_job(job)); !sent) {
        return conversation_error(sent.error());
    }
    return {};
}

util::Result<InspectionReport> SandboxedInspector::converse(Worker& worker, util::RandomAccessSource& plaintext,
                                                            std::chrono::steady_clock::time_point deadline) const {
    Channel channel(worker.socket.get(), deadline);
    for (;;) {
        auto message = channel.receive(max_report_size(m_settings.limits));
        if (!message) {
            return conversation_error(message.error());
        }
        auto request = decode_request(*message);
        if (!request) {
            return request.error();
        }
        if (!*request) {
            return take_report(worker, *message);
        }
        if (auto served = serve(channel, plaintext, worker.windows, **request); !served) {
            return conversation_error(served.error());
        }
    }
}

util::Result<InspectionReport> SandboxedInspector::take_report(Worker& worker, const Message& report) const {
    worker.process.stop(); // its work is done; whatever it would do next, it does not
    const std::string_view text(reinterpret_cast<const char*>(report.bytes.get()), report.size);
    return report_from_json(text, m_settings.limits);
}

// A live inspection: the feed while the upload arrives, then the conversation as after an upload
// for whatever is still open.
class SandboxedInspector::Live final : public LiveInspection {
public:
    Live(const SandboxedInspector& inspector, std::unique_ptr<Worker> worker)
        : m_inspector(&inspector), m_worker(std::move(worker)),
          m_feed(m_worker->socket.get(), m_worker->windows, max_report_size(inspector.m_settings.limits)) {}

    void offer(std::span<const std::uint8_t> bytes) override { m_feed.offer(bytes); }

    util::Result<InspectionReport> finish(util::RandomAccessSource& plaintext) override {
        if (m_feed.failure()) {
            return conversation_error(m_feed.failure());
        }
        if (m_feed.report()) {
            return m_inspector->take_report(*m_worker, *m_feed.report());
        }
        const auto deadline = std::chrono::steady_clock::now() + m_inspector->m_settings.wall_clock;
        Channel channel(m_worker->socket.get(), deadline);
        // What is still open, each window whole from the sealed upload (bytes copied in before are
        // written again, the same).
        for (const WorkerRequest& request : m_feed.open_requests()) {
            if (auto served = serve(channel, plaintext, m_worker->windows, request); !served) {
                return conversation_error(served.error());
            }
        }
        return m_inspector->converse(*m_worker, plaintext, deadline);
    }

private:
    const SandboxedInspector* m_inspector;
    std::unique_ptr<Worker> m_worker;
    LiveFeed m_feed;
};

util::Result<std::unique_ptr<LiveInspection>> SandboxedInspector::begin() {
    const auto deadline = std::chrono::steady_clock::now() + m_settings.wall_clock;
    auto worker = take_worker(deadline);
    if (!worker) {
        return worker.error();
    }
    if (auto sent = send_job(**worker, k_size_arriving, deadline); !sent) {
        return sent.error();
    }
    (*worker)->windows.populate(); // while the worker starts
    return std::unique_ptr<LiveInspection>(std::make_unique<Live>(*this, std::move(*worker)));
}

} // namespace supportdrop::inspector
