#include "inspector/sandboxed_inspector.hpp"

#include "inspector/channel.hpp"
#include "inspector/errors.hpp"
#include "inspector/worker.hpp"

#include <array>
#include <csignal>
#include <fcntl.h>
#include <optional>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

namespace supportdrop::inspector {
namespace {

class Descriptor {
public:
    explicit Descriptor(int fd = -1) : m_fd(fd) {}
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    ~Descriptor() { reset(); }
    void reset() {
        if (m_fd >= 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }
    int get() const { return m_fd; }

private:
    int m_fd;
};

// The inspector process; killed and reaped when this goes, whatever it was doing.
class Child {
public:
    explicit Child(pid_t pid) : m_pid(pid) {}
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() { (void)stop(); }

    // Whether the process still runs (one that ended is reaped).
    bool running() {
        if (m_pid > 0 && ::waitpid(m_pid, &m_status, WNOHANG) == m_pid) {
            m_pid = -1;
        }
        return m_pid > 0;
    }

    // Kills the process if it still runs, reaps it and returns its wait status.
    int stop() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            while (::waitpid(m_pid, &m_status, 0) < 0 && errno == EINTR) {
            }
            m_pid = -1;
        }
        return m_status;
    }

private:
    pid_t m_pid;
    int m_status = 0;
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
    // default signal handling and no blocked signals.
    bool prepare(int socket) {
        sigset_t none;
        sigset_t defaults;
        sigemptyset(&none);
        sigfillset(&defaults);
        return ::posix_spawn_file_actions_addopen(&m_actions, 0, "/dev/null", O_RDONLY, 0) == 0 &&
               ::posix_spawn_file_actions_addopen(&m_actions, 1, "/dev/null", O_WRONLY, 0) == 0 &&
               ::posix_spawn_file_actions_adddup2(&m_actions, socket, k_worker_channel_fd) == 0 &&
               ::posix_spawn_file_actions_addclosefrom_np(&m_actions, k_worker_channel_fd + 1) == 0 &&
               ::posix_spawnattr_setsigmask(&m_attributes, &none) == 0 &&
               ::posix_spawnattr_setsigdefault(&m_attributes, &defaults) == 0 &&
               ::posix_spawnattr_setflags(&m_attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) == 0;
    }

    const posix_spawn_file_actions_t* actions() const { return &m_actions; }
    const posix_spawnattr_t* attributes() const { return &m_attributes; }

private:
    posix_spawn_file_actions_t m_actions{};
    posix_spawnattr_t m_attributes{};
};

util::Result<void> serve_read(Channel& channel, util::RandomAccessSource& plaintext, const Message& message,
                              std::vector<std::uint8_t>& buffer) {
    const auto request = decode_read(message.payload());
    if (!request) {
        return Errc::protocol_error;
    }
    buffer.resize(request->length);
    auto n = plaintext.read_at(request->offset, buffer);
    if (!n) {
        return Errc::read_failed;
    }
    return channel.send(MessageType::data, std::span(buffer).first(*n));
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

// A started inspector process, not yet given a job, and our end of its socket. The process goes
// first (killed if it still runs, and reaped), then the socket is closed.
struct SandboxedInspector::Worker {
    explicit Worker(int socket_fd) : socket(socket_fd) {}

    Descriptor socket;
    std::optional<Child> child;
};

SandboxedInspector::SandboxedInspector(SandboxedInspectorSettings settings) : m_settings(std::move(settings)) {}

SandboxedInspector::~SandboxedInspector() = default;

std::unique_ptr<SandboxedInspector::Worker> SandboxedInspector::spawn_worker() const {
    std::array<int, 2> sockets{};
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets.data()) != 0) {
        return nullptr;
    }
    auto worker = std::make_unique<Worker>(sockets[0]);
    Descriptor theirs(sockets[1]);
    SpawnSettings spawn;
    if (!spawn.prepare(theirs.get())) {
        return nullptr;
    }
    const std::string executable = m_settings.executable.string();
    std::array<char*, 3> argv = {const_cast<char*>("supportdrop"), const_cast<char*>("inspect-worker"), nullptr};
    // UTC: without TZ, every local-time conversion (libarchive's of ZIP's DOS times) would
    // try /etc/localtime again, which the sandbox does not let it open.
    std::array<char*, 2> environment = {const_cast<char*>("TZ=UTC"), nullptr};
    pid_t pid = -1;
    if (::posix_spawn(&pid, executable.c_str(), spawn.actions(), spawn.attributes(), argv.data(), environment.data()) !=
        0) {
        return nullptr;
    }
    worker->child.emplace(pid);
    return worker;
}

std::unique_ptr<SandboxedInspector::Worker> SandboxedInspector::take_worker() {
    std::unique_ptr<Worker> spare;
    {
        const std::scoped_lock lock(m_mutex);
        spare = std::move(m_spare);
    }
    // A process kept in advance may have been ended meanwhile (by an administrator, or the
    // kernel under memory pressure): then a new one does the work.
    if (spare && spare->child->running()) {
        return spare;
    }
    return spawn_worker();
}

void SandboxedInspector::keep_spare() {
    {
        const std::scoped_lock lock(m_mutex);
        if (m_spare) {
            return;
        }
    }
    auto worker = spawn_worker(); // when this fails, the next inspection tries again and reports it
    const std::scoped_lock lock(m_mutex);
    if (!m_spare) {
        m_spare = std::move(worker);
    }
}

util::Result<InspectionReport> SandboxedInspector::inspect(util::RandomAccessSource& plaintext) {
    auto size = plaintext.size();
    if (!size) {
        return Errc::read_failed;
    }
    auto worker = take_worker();
    if (!worker) {
        return Errc::spawn_failed;
    }
    auto report = converse(*worker, plaintext, *size);
    worker.reset(); // killed (if it still runs) and reaped
    keep_spare();
    return report;
}

util::Result<InspectionReport> SandboxedInspector::converse(Worker& worker, util::RandomAccessSource& plaintext,
                                                            std::uint64_t size) {
    const auto deadline = std::chrono::steady_clock::now() + m_settings.wall_clock;
    Job job;
    job.upload_size = size;
    job.limits = m_settings.limits;
    job.memory_limit_bytes = m_settings.memory_bytes;
    job.cpu_limit_seconds =
        static_cast<std::uint64_t>(std::chrono::ceil<std::chrono::seconds>(m_settings.wall_clock).count());
    Channel channel(worker.socket.get(), deadline);
    if (auto sent = channel.send(MessageType::job, encode_job(job)); !sent) {
        return conversation_error(sent.error());
    }
    std::vector<std::uint8_t> buffer;
    for (;;) {
        auto message = channel.receive(std::max<std::size_t>(max_report_size(m_settings.limits), k_max_read_length));
        if (!message) {
            return conversation_error(message.error());
        }
        if (message->type == MessageType::read) {
            if (auto served = serve_read(channel, plaintext, *message, buffer); !served) {
                return conversation_error(served.error());
            }
            continue;
        }
        if (message->type != MessageType::report) {
            return Errc::protocol_error;
        }
        (void)worker.child->stop(); // its work is done; whatever it would do next, it does not
        const std::string_view text(reinterpret_cast<const char*>(message->bytes.get()), message->size);
        return report_from_json(text, m_settings.limits);
    }
}

} // namespace supportdrop::inspector
