// One accepted connection of demo-upstream: HTTP/1.1 keep-alive loop, scripted behaviours,
// generated bodies, and the /websocket echo. Beast is used only in session.cc.
#pragma once

#include <atomic>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "behaviour.h"

namespace demo {

// Process-wide state, shared by every worker thread. `identity` and `quiet` are read-only once
// workers start; `stats` locks internally; `in_flight` is the drain gate's counter.
struct Shared {
  Identity identity;
  bool quiet = false;
  Stats stats;
  // Requests between "head read" and "response written"; shutdown waits for it to reach 0.
  // Idle keep-alive and websocket connections are not counted, so they never hold shutdown up.
  std::atomic<int> in_flight{0};
};

// Serves `socket` until the peer closes, an error, a reset or Connection: close. Runs entirely on
// the socket's own io_context (its worker thread).
boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket, Shared& shared);

}  // namespace demo
