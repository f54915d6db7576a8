// One client connection speaking HTTP/1.1: reads request heads, hands each request to the
// request flow through the Downstream interface, writes responses, keeps the connection alive.
// Lives in a coroutine on one worker; owns its socket, read buffer and parser.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "proxy/listener_binding.h"
#include "proxy/worker_context.h"

namespace sy::proxy {

boost::asio::awaitable<void> serve_http1_connection(WorkerContext& ctx, ListenerBinding binding,
                                                    boost::asio::ip::tcp::socket socket);

}  // namespace sy::proxy
