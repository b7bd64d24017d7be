#pragma once
// The inspector's fork server: `supportdrop inspect-forkserver`, started by SandboxedInspector with
// a control socket as descriptor 3. It loads once what every worker needs (the C.UTF-8 locale,
// libarchive, every library symbol resolved: LD_BIND_NOW) and then forks one worker per upload
// (worker.hpp). Starting the program afresh for
// each upload cost 3-4 ms of CPU, most of it the dynamic linker: more than inspecting a 5 MiB
// archive. The fork server never sees an upload, a key or a file.
//
// Control protocol: the receiver writes one byte for each worker it wants; the fork server
// answers each with one byte, 'w' together with three descriptors (SCM_RIGHTS) - the receiver's
// end of the worker's socket, the memory file of their shared windows (channel.hpp) and a
// process descriptor (pidfd) of the worker - or 'e', without descriptors, when it could not make
// one.

#include "inspector/channel.hpp"
#include "util/errors.hpp"
#include "util/unique_fd.hpp"

namespace supportdrop::inspector {

inline constexpr int k_fork_server_control_fd = 3;

// Process names (what ps and top show; the command line stays the fork server's).
inline constexpr const char* k_fork_server_process_name = "inspect-fork";
inline constexpr const char* k_worker_process_name = "inspect-worker";

// The fork server's main. Forks a worker per request until the control socket closes, then
// waits for the workers it made and returns 0. Dies with the process that started it.
int run_fork_server();

struct ForkedWorker {
    util::UniqueFd socket;         // the receiver's end of the worker's channel (channel.hpp)
    util::UniqueFd shared_windows; // the memory file of the channel's windows
    util::UniqueFd process;        // the worker's pidfd: to kill it and to see it end
};

// Asks the fork server behind `control` for a worker, waiting at most until `deadline`: the
// worker, Errc::spawn_failed when the fork server could not make one, or the failure of the
// fork server itself (timed_out, channel_closed, protocol_error), after which it is of no use.
util::Result<ForkedWorker> request_worker(int control, Deadline deadline);

} // namespace supportdrop::inspector
