// Accepts client connections on one worker's listening socket and starts a connection coroutine
// for each, on the same worker (a connection never changes thread). The loop shares ownership of
// the acceptor with the server; when the server drops its reference and cancels the acceptor
// (listener removed, drain), the loop ends and the acceptor closes with it.
// `counters` (the worker's, for this listener) count each connection accepted and ended; they
// must outlive every connection the loop starts (ListenerStats never drops an entry).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "obs/listener_stats.h"
#include "proxy/listener_binding.h"
#include "proxy/worker_context.h"

namespace sy::server {

boost::asio::awaitable<void> accept_loop(proxy::WorkerContext& ctx, std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor,
                                         proxy::ListenerBinding binding, obs::ListenerCounters& counters);

}  // namespace sy::server
