// Byte tunnel between client and upstream after an HTTP upgrade (websocket): copies both ways
// until either side closes, then closes both. Runs on the worker owning the client connection.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string_view>

namespace sy::proxy {

boost::asio::awaitable<void> run_tunnel(boost::asio::ip::tcp::socket& client, boost::asio::ip::tcp::socket& upstream,
                                        std::string_view client_pending, std::string_view upstream_pending);

}  // namespace sy::proxy
