// The per-request pipeline, protocol-neutral: listener -> virtual host -> route -> action
// (redirect, direct response, or forward through policies to an endpoint). Runs on the worker
// that owns the client connection.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "http/message.h"
#include "proxy/downstream.h"
#include "proxy/listener_binding.h"
#include "proxy/worker_context.h"

namespace sy::proxy {

boost::asio::awaitable<void> handle_request(WorkerContext& ctx, const ListenerBinding& binding, http::RequestHead& head,
                                            Downstream& down);

}  // namespace sy::proxy
