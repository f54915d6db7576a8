// Which of Asio's backends this binary's event loops run on. Asio chooses it at compile time, so
// the build makes two binaries when liburing is there (CMakeLists.txt): `switchyard` on io_uring,
// which batches every send, receive and readiness wait of a loop turn into one system call, and
// `switchyard-epoll`, for kernels and seccomp profiles that refuse io_uring.
#pragma once

#include <string>

namespace sy::net {

// "io_uring" or "epoll".
const char* event_loop_name();

// Empty when an event loop of this binary's kind can run here; otherwise why not (for io_uring:
// disabled by kernel.io_uring_disabled, refused by a container's seccomp profile, or a kernel
// whose io_uring lacks operations switchyard needs).
std::string event_loop_unavailable();

}  // namespace sy::net
