// DestinationRule connectionPool.tcp settings that act on an upstream socket or its lifetime.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>

#include "policy/cluster_policy.h"

namespace sy::upstream {

// tcpKeepalive: SO_KEEPALIVE with the configured idle time, probe interval and probe count
// (each left at the OS default when unset), as Envoy's upstream socket options set them.
// Durations go to the kernel in whole seconds, at least 1. Nothing when tcpKeepalive is unset.
void apply_tcp_keepalive(boost::asio::ip::tcp::socket& socket, const policy::ConnectionPoolPolicy& pool);

// maxConnectionDuration: when a connection opened at `opened` stops taking requests
// (time_point::max() when unset).
std::chrono::steady_clock::time_point connection_close_at(const policy::ConnectionPoolPolicy& pool,
                                                          std::chrono::steady_clock::time_point opened);

}  // namespace sy::upstream
