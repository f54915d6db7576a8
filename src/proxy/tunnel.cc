#include "proxy/tunnel.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <array>

namespace sy::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

asio::awaitable<void> pump(tcp::socket& from, tcp::socket& to) {
  std::array<char, 16 * 1024> buf;
  for (;;) {
    auto [rec, n] = co_await from.async_read_some(asio::buffer(buf), kTuple);
    if (rec) break;
    auto [wec, w] = co_await asio::async_write(to, asio::buffer(buf.data(), n), kTuple);
    if (wec) break;
  }
  boost::system::error_code ignored;
  to.shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

asio::awaitable<void> run_tunnel(tcp::socket& client, tcp::socket& upstream, std::string_view client_pending,
                                 std::string_view upstream_pending) {
  if (!client_pending.empty()) co_await asio::async_write(upstream, asio::buffer(client_pending), kTuple);
  if (!upstream_pending.empty()) co_await asio::async_write(client, asio::buffer(upstream_pending), kTuple);
  // Both directions run until both have finished; a half-close is forwarded as a half-close.
  co_await (pump(client, upstream) && pump(upstream, client));
  boost::system::error_code ignored;
  client.close(ignored);
  upstream.close(ignored);
}

}  // namespace sy::proxy
