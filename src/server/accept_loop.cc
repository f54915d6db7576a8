#include "server/accept_loop.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "net/listen_socket.h"
#include "proxy/http1_connection.h"
#include "proxy/l4_connection.h"

namespace sy::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Where the client meant to connect when iptables redirected the connection here (IPv4 and IPv6
// NAT tables each answer for their own family).
std::optional<tcp::endpoint> original_destination(tcp::socket& s, const tcp::endpoint& local) {
  if (local.address().is_v4()) {
    sockaddr_in addr{};
    socklen_t len = sizeof(addr);
    if (::getsockopt(s.native_handle(), SOL_IP, SO_ORIGINAL_DST, &addr, &len) != 0) return std::nullopt;
    return tcp::endpoint(asio::ip::address_v4(ntohl(addr.sin_addr.s_addr)), ntohs(addr.sin_port));
  }
  sockaddr_in6 addr{};
  socklen_t len = sizeof(addr);
  if (::getsockopt(s.native_handle(), SOL_IPV6, IP6T_SO_ORIGINAL_DST, &addr, &len) != 0) return std::nullopt;
  asio::ip::address_v6::bytes_type bytes;
  std::memcpy(bytes.data(), &addr.sin6_addr, bytes.size());
  return tcp::endpoint(asio::ip::address_v6(bytes), ntohs(addr.sin6_port));
}

}  // namespace

asio::awaitable<void> accept_loop(proxy::WorkerContext& ctx, std::shared_ptr<tcp::acceptor> acceptor,
                                  proxy::ListenerBinding binding, AcceptedBy& by) {
  obs::ListenerCounters& counters = *by.counters;
  // The server drops its reference (and cancels) when the listener goes: an accept that
  // completed just before that cancel is served, then the loop ends.
  while (acceptor.use_count() > 1) {
    auto [ec, socket] = co_await acceptor->async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open() || acceptor.use_count() == 1) co_return;
      spdlog::warn("accept on port {}: {}", binding.port, ec.message());
      // Out of descriptors and the like: back off instead of spinning on the error.
      asio::steady_timer pause(ctx.io(), std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    ++counters.cx_total;
    if (by.memory->shedding()) {
      // Memory is near the overload limit: a new connection would only add to it.
      ++counters.cx_overload_reject;
      continue;
    }
    if (!by.limit->try_acquire()) {
      // Accepted and closed at once (the socket's destructor): over the limit, a connection
      // waiting in the backlog would only hold a descriptor and a client's hopes.
      ++counters.cx_overflow;
      continue;
    }
    ++counters.cx_active;
    net::tune_accepted_socket(socket);
    proxy::ListenerBinding conn_binding = binding;
    if (binding.mesh) {
      boost::system::error_code lec;
      auto local = socket.local_endpoint(lec);
      if (auto orig = lec ? std::nullopt : original_destination(socket, local); orig && *orig != local) {
        conn_binding.port = orig->port();
        conn_binding.original_dst = *orig;
      }
    }
    const proxy::ConnectionClosed closed{[](void* c) {
                                           auto& accepted_by = *static_cast<AcceptedBy*>(c);
                                           --accepted_by.counters->cx_active;
                                           ++accepted_by.counters->cx_destroy;
                                           accepted_by.limit->release();
                                         },
                                         &by};
    std::shared_ptr<upstream::ClusterTable> table = ctx.current();
    // A mesh connection meant for a service's TCP port is routed below HTTP (tcp[] rules).
    if (binding.mesh && proxy::is_mesh_tcp(table->snapshot(), conn_binding)) conn_binding.l4 = true;
    if (conn_binding.l4) {
      proxy::start_l4_connection(ctx, std::move(conn_binding), std::move(socket), closed);
      continue;
    }
    const snapshot::Listener* listener = binding.mesh ? nullptr
                                                      : table->snapshot().find_listener(binding.port, binding.bind);
    // A listener the current config serves with the other protocol is being replaced: never
    // plaintext on a port configured for TLS, nor the reverse.
    if (!binding.mesh && (listener == nullptr || (listener->tls != nullptr) != binding.tls)) {
      closed();
      continue;
    }
    if (binding.tls) {
      // The certificates of the config in force now: a rotated certificate serves new handshakes
      // as soon as its snapshot is published, while established connections keep theirs.
      proxy::start_https_connection(ctx, std::move(conn_binding), std::move(socket), listener->tls, closed);
      continue;
    }
    // The connection ends (whichever way, parked in between or not) on this worker.
    proxy::start_http1_connection(ctx, std::move(conn_binding), std::move(socket), closed);
  }
}

}  // namespace sy::server
