// Settles which event loop `serve` runs on, before anything starts (src/net/event_loop.h).
#pragma once

#include <string>

namespace sy::cli {

// `wanted` is --io: "auto" (io_uring where the kernel allows it, else epoll), "io_uring" or
// "epoll". The io_uring binary hands over to its sibling `switchyard-epoll` in the same directory
// when epoll is wanted or io_uring is refused: exec, so the process id, the arguments and the
// environment stay (a supervisor or a PID file notices nothing). Returns 0 to go on in this
// process, or the exit code when the wanted event loop cannot run.
int settle_event_loop(const std::string& wanted, char** argv);

}  // namespace sy::cli
