#pragma once
// The inspector process's main: `supportdrop inspect-worker`, started by SandboxedInspector
// with its socket as file descriptor 3. Not a command for people.

namespace supportdrop::inspector {

inline constexpr int k_worker_channel_fd = 3;

// Receives the job, enters the sandbox, inspects the upload it reads over the channel and sends
// the report. Returns the process exit status: 0 when the report was sent.
int run_inspector_worker();

} // namespace supportdrop::inspector
