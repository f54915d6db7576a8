#include "proxy/tunnel.h"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace sy::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// What both directions share: when bytes last moved, and how many directions still run.
struct TunnelState {
  explicit TunnelState(const asio::any_io_executor& ex) : idle(ex) {}
  asio::steady_timer idle;
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
  int running = 2;
};

tcp::socket& lowest(tcp::socket& s) { return s; }
tcp::socket& lowest(TlsSocket& s) { return s.next_layer(); }

// The end of one direction: a plain socket is half-closed (its peer reads EOF, the other
// direction goes on); a TLS stream cannot be, so the whole tunnel ends.
bool half_close(tcp::socket& to) {
  boost::system::error_code ignored;
  to.shutdown(tcp::socket::shutdown_send, ignored);
  return true;
}
bool half_close(TlsSocket&) { return false; }

template <class From, class To>
asio::awaitable<void> pump(From& from, To& to, TunnelState& state, uint64_t& moved, tcp::socket& other_source) {
  std::array<char, 16 * 1024> buf;
  for (;;) {
    auto [rec, n] = co_await from.async_read_some(asio::buffer(buf), kTuple);
    if (rec) break;
    state.last = std::chrono::steady_clock::now();
    auto [wec, w] = co_await asio::async_write(to, asio::buffer(buf.data(), n), kTuple);
    if (wec) break;
    moved += w;
  }
  if (!half_close(to)) {
    boost::system::error_code ignored;
    other_source.cancel(ignored);  // the other direction ends too: `to` is TLS
  }
  if (--state.running == 0) state.idle.cancel();  // the guard has nothing left to watch
}

// Ends the tunnel when no byte moved either way for `timeout` (0 = never idle), or at `ends_at`:
// both sockets are cancelled (not closed: their pending reads still refer to them), which ends
// both pumps.
asio::awaitable<void> idle_guard(tcp::socket& a, tcp::socket& b, TunnelState& state,
                                 std::chrono::steady_clock::duration timeout,
                                 std::chrono::steady_clock::time_point ends_at) {
  auto deadline = [&] {
    return timeout.count() > 0 ? std::min(state.last + timeout, ends_at) : ends_at;
  };
  while (state.running > 0) {
    state.idle.expires_at(deadline());
    auto [ec] = co_await state.idle.async_wait(kTuple);
    if (state.running == 0) break;
    if (!ec && std::chrono::steady_clock::now() >= deadline()) {
      boost::system::error_code ignored;
      a.cancel(ignored);
      b.cancel(ignored);
      break;
    }
  }
}

}  // namespace

template <class Client, class Upstream>
asio::awaitable<void> run_tunnel(Client& client, Upstream& upstream, std::string_view client_pending,
                                 std::string_view upstream_pending, std::chrono::steady_clock::duration idle_timeout,
                                 TunnelBytes* bytes, std::chrono::steady_clock::time_point ends_at) {
  TunnelBytes local;
  TunnelBytes& moved = bytes ? *bytes : local;
  if (!client_pending.empty()) co_await asio::async_write(upstream, asio::buffer(client_pending), kTuple);
  if (!upstream_pending.empty()) co_await asio::async_write(client, asio::buffer(upstream_pending), kTuple);
  moved.to_upstream += client_pending.size();
  moved.to_client += upstream_pending.size();
  TunnelState state(client.get_executor());
  tcp::socket& c = lowest(client);
  tcp::socket& u = lowest(upstream);
  // Both directions run until both have finished; a half-close is forwarded as a half-close.
  if (idle_timeout.count() > 0 || ends_at != std::chrono::steady_clock::time_point::max())
    co_await (pump(client, upstream, state, moved.to_upstream, u) && pump(upstream, client, state, moved.to_client, c) &&
              idle_guard(c, u, state, idle_timeout, ends_at));
  else
    co_await (pump(client, upstream, state, moved.to_upstream, u) && pump(upstream, client, state, moved.to_client, c));
  boost::system::error_code ignored;
  c.close(ignored);
  u.close(ignored);
}

template asio::awaitable<void> run_tunnel(tcp::socket&, tcp::socket&, std::string_view, std::string_view,
                                          std::chrono::steady_clock::duration, TunnelBytes*,
                                          std::chrono::steady_clock::time_point);
template asio::awaitable<void> run_tunnel(TlsSocket&, tcp::socket&, std::string_view, std::string_view,
                                          std::chrono::steady_clock::duration, TunnelBytes*,
                                          std::chrono::steady_clock::time_point);
template asio::awaitable<void> run_tunnel(tcp::socket&, TlsSocket&, std::string_view, std::string_view,
                                          std::chrono::steady_clock::duration, TunnelBytes*,
                                          std::chrono::steady_clock::time_point);
template asio::awaitable<void> run_tunnel(TlsSocket&, TlsSocket&, std::string_view, std::string_view,
                                          std::chrono::steady_clock::duration, TunnelBytes*,
                                          std::chrono::steady_clock::time_point);

}  // namespace sy::proxy
