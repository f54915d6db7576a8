// Accepts client connections on one worker's listening socket and starts a connection coroutine
// for each, on the same worker (a connection never changes thread). The loop shares ownership of
// the acceptor: closing it (listener removed, drain) ends the loop, which then releases it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "proxy/listener_binding.h"
#include "proxy/worker_context.h"

namespace sy::server {

boost::asio::awaitable<void> accept_loop(proxy::WorkerContext& ctx, std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor,
                                         proxy::ListenerBinding binding);

}  // namespace sy::server
