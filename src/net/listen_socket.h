// Listening sockets. Each worker opens its own socket on a shared port with SO_REUSEPORT, so the
// kernel spreads new connections across workers and no accept lock is shared between threads.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <system_error>

namespace sy::net {

struct ListenAddress {
  std::string host = "0.0.0.0";
  uint16_t port = 0;
  std::string to_string() const;
};

// Parses "ADDR:PORT", "[v6]:PORT" or ":PORT" / "PORT" (host defaults to 0.0.0.0).
bool parse_listen_address(std::string_view text, ListenAddress& out);

// Opens, binds and listens. On failure returns a closed acceptor and sets `ec`.
boost::asio::ip::tcp::acceptor open_reuseport_acceptor(boost::asio::io_context& io, const ListenAddress& addr,
                                                       boost::system::error_code& ec);

// Socket options every proxied connection gets: no Nagle delay on small writes.
void tune_accepted_socket(boost::asio::ip::tcp::socket& s);

}  // namespace sy::net
