// One client connection speaking HTTP/1.1: reads request heads, hands each request to the
// request flow through the Downstream interface, writes responses, keeps the connection alive.
// While requests come, it lives in a coroutine on one worker that owns its socket, read buffer
// and parser. A keep-alive connection idle for a while parks: the coroutine ends, buffer and
// parser go back to the worker, and only the socket with a pending one-byte peek remains until
// the next request arrives (a fresh coroutine then takes over) or the idle timeout closes it.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include "proxy/listener_binding.h"
#include "proxy/worker_context.h"
#include "tls/server_tls.h"

namespace sy::proxy {

void start_http1_connection(WorkerContext& ctx, ListenerBinding binding, boost::asio::ip::tcp::socket socket,
                            ConnectionClosed on_closed);
// The same over TLS, terminated with the listener's certificates (chosen by SNI).
void start_https_connection(WorkerContext& ctx, ListenerBinding binding, boost::asio::ip::tcp::socket socket,
                            std::shared_ptr<const tls::ServerTls> tls, ConnectionClosed on_closed);
// ParkedConnections::Wake for a WorkerContext's parked set (`ctx` is the WorkerContext).
void wake_http1_connection(void* ctx, ListenerBinding binding, boost::asio::ip::tcp::socket socket,
                           ConnectionClosed on_closed);

}  // namespace sy::proxy
