#include "net/listen_socket.h"

#include <boost/asio/socket_base.hpp>
#include <charconv>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace sy::net {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string ListenAddress::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

bool parse_listen_address(std::string_view text, ListenAddress& out) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  } else {
    port = text;
  }
  unsigned value = 0;
  auto [p, err] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (err != std::errc() || p != port.data() + port.size() || value > 65535) return false;
  out.host = host.empty() ? "0.0.0.0" : std::string(host);
  out.port = static_cast<uint16_t>(value);
  return true;
}

tcp::acceptor open_reuseport_acceptor(asio::io_context& io, const ListenAddress& addr, boost::system::error_code& ec) {
  tcp::acceptor acceptor(io);
  auto ip = asio::ip::make_address(addr.host, ec);
  if (ec) return acceptor;
  tcp::endpoint ep(ip, addr.port);
  acceptor.open(ep.protocol(), ec);
  if (ec) return acceptor;
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  int one = 1;
  if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    ec.assign(errno, boost::system::system_category());
    return acceptor;
  }
  acceptor.bind(ep, ec);
  if (ec) {
    acceptor.close();
    return acceptor;
  }
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  return acceptor;
}

void tune_accepted_socket(tcp::socket& s) {
  boost::system::error_code ignored;
  s.set_option(tcp::no_delay(true), ignored);
}

}  // namespace sy::net
