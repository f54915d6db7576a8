// Accepts client connections on one worker's listening socket and starts a connection coroutine
// for each, on the same worker (a connection never changes thread). The loop shares ownership of
// the acceptor with the server; when the server drops its reference and cancels the acceptor
// (listener removed, drain), the loop ends and the acceptor closes with it.
// Each connection takes a place in the process-wide ConnectionLimit first; over the limit it is
// closed at once and counted as an overflow.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "obs/listener_stats.h"
#include "proxy/listener_binding.h"
#include "proxy/worker_context.h"
#include "server/connection_limit.h"
#include "server/memory_guard.h"

namespace sy::server {

// What a connection accepted on one listener of one worker reports to when it ends. Both must
// outlive every connection the loop starts: ListenerStats never drops an entry, and the server
// keeps these for the worker's lifetime.
struct AcceptedBy {
  obs::ListenerCounters* counters;
  ConnectionLimit* limit;
  const MemoryGuard* memory;
};

boost::asio::awaitable<void> accept_loop(proxy::WorkerContext& ctx,
                                         std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor,
                                         proxy::ListenerBinding binding, AcceptedBy& by);

}  // namespace sy::server
