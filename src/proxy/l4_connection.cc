#include "proxy/l4_connection.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "proxy/deadline_watch.h"
#include "proxy/eligible_endpoints.h"
#include "proxy/request_report.h"
#include "proxy/response_flags.h"
#include "proxy/tunnel.h"
#include "tls/client_hello.h"
#include "upstream/proxy_protocol.h"
#include "upstream/socket_options.h"

namespace sy::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
using Clock = std::chrono::steady_clock;

route::IpAddress ip_of(const asio::ip::address& a) {
  if (a.is_v4()) return route::IpAddress::v4(a.to_v4().to_uint());
  return route::IpAddress::v6(a.to_v6().to_bytes());
}

// Reads until the ClientHello is whole (bounded by size and the header timeout). Returns false
// when the bytes are not a TLS ClientHello or the client was too slow.
asio::awaitable<bool> read_client_hello(WorkerContext& ctx, tcp::socket& client, std::string& pending,
                                        std::string& sni) {
  DeadlineWatch deadline(ctx.io(), client);
  const auto until = Clock::now() + ctx.options().header_read;
  std::array<char, 4096> buf;
  for (;;) {
    const tls::ClientHelloPeek peek = tls::peek_client_hello(pending);
    if (peek.status == tls::ClientHelloPeek::Status::kComplete) {
      sni = peek.server_name;
      co_return true;
    }
    if (peek.status == tls::ClientHelloPeek::Status::kNotTls) co_return false;
    deadline.start(until);
    auto [ec, n] = co_await client.async_read_some(asio::buffer(buf), kTuple);
    deadline.stop();
    if (ec) co_return false;
    pending.append(buf.data(), n);
  }
}

// One attempt to the destination cluster: endpoint choice, breaker, connect. The connected socket,
// or nullopt (the reason is logged). `original_dst`: where a mesh client meant to connect, the
// one endpoint of a `resolution: NONE` cluster.
asio::awaitable<bool> connect_upstream(WorkerContext& ctx, upstream::ClusterTable& table, uint32_t cluster_id,
                                       const std::optional<tcp::endpoint>& original_dst, tcp::socket& upstream_socket,
                                       policy::ResourceToken& slot, std::string& why, RequestInfo& info) {
  std::shared_ptr<upstream::ClusterRuntime> rt = table.runtime(cluster_id);
  if (rt->cluster->discovery == snapshot::Discovery::kOriginalDst && original_dst)
    rt = upstream::original_destination_runtime(*rt->cluster, *original_dst);
  const snapshot::Cluster& cluster = *rt->cluster;
  if (cluster.missing() || cluster.tls) {
    info.flags |= kNoClusterFound;
    why = cluster.missing() ? cluster.missing_reason : "TLS origination is not done on L4 routes";
    co_return false;
  }
  policy::ClusterState& state = table.state(cluster_id);
  std::vector<uint64_t> outlier_bits, combined_bits;
  auto eligible = eligible_endpoints(*rt, state.outlier(), outlier_bits, combined_bits);
  if (!eligible || rt->eligible_count == 0 || !rt->balancer) {
    info.flags |= kNoHealthyUpstream;
    why = "no healthy upstream";
    co_return false;
  }
  slot = state.breaker().try_open_connection();
  if (!slot) {
    info.flags |= kUpstreamOverflow;
    why = "circuit breaker: maxConnections reached";
    co_return false;
  }
  lb::PickContext pick{
      .random = ctx.rng().next(), .active_requests = rt->active, .eligible = *eligible, .now = rt->pick_time()};
  const auto index = rt->balancer->pick(pick);
  if (!index) {
    info.flags |= kNoHealthyUpstream;
    why = "no healthy upstream";
    co_return false;
  }
  const tcp::endpoint ep = rt->addresses[*index];
  info.upstream_host = ep.address().to_string() + ":" + std::to_string(ep.port());
  info.attempts = 1;
  asio::steady_timer timer(ctx.io());
  timer.expires_after(std::chrono::duration_cast<Clock::duration>(cluster.policy.connection_pool.connect_timeout));
  auto result = co_await (upstream_socket.async_connect(ep, kTuple) || timer.async_wait(kTuple));
  const bool connected = result.index() == 0 && !std::get<0>(std::get<0>(result));
  if (const uint32_t slot = rt->outlier_slot[*index]; slot != policy::OutlierDetector::kNoSlot)
    state.outlier().report(
        slot,
        {connected ? policy::EndpointResult::Kind::kConnectSuccess : policy::EndpointResult::Kind::kConnectFailure, 0},
        Clock::now());
  if (!connected) {
    info.flags |= kUpstreamConnectionFailure;
    why = "connect to " + info.upstream_host + " failed";
  }
  co_return connected;
}

// DestinationRule proxyProtocol: the client's address and the one it connected to, first on the
// upstream connection (before the ClientHello on a passthrough route).
asio::awaitable<bool> send_proxy_header(const policy::ClusterPolicy& policy, tcp::socket& client,
                                        tcp::socket& upstream_socket) {
  const auto version = upstream::proxy_protocol_version(policy.proxy_protocol);
  if (version == upstream::ProxyProtocolVersion::kNone) co_return true;
  boost::system::error_code ec;
  const tcp::endpoint source = client.remote_endpoint(ec);
  const tcp::endpoint destination = client.local_endpoint(ec);
  const std::string header = upstream::proxy_protocol_header(version, source, destination);
  auto [wec, n] = co_await asio::async_write(upstream_socket, asio::buffer(header), kTuple);
  co_return !wec;
}

asio::awaitable<void> serve_l4(WorkerContext& ctx, ListenerBinding binding, tcp::socket client) {
  std::shared_ptr<upstream::ClusterTable> table = ctx.current();  // pinned for the connection
  const snapshot::Snapshot& snap = table->snapshot();
  // A gateway's L4 listener, or on the mesh the service the connection was meant for.
  const snapshot::L4Listener* listener = binding.mesh ? nullptr : snap.find_l4(binding.port, binding.bind);
  std::optional<route::IpAddress> destination;
  if (binding.original_dst) destination = ip_of(binding.original_dst->address());
  const snapshot::MeshTcpService* service =
      binding.mesh ? snap.find_mesh_tcp(binding.port, destination ? &*destination : nullptr) : nullptr;
  if (listener == nullptr && service == nullptr) co_return;
  // Every connection that got this far is logged and counted once, whichever way it ends.
  RequestInfo info;
  info.l4 = true;
  http::RequestHead head;    // for the observers: only the SNI (as authority) means anything here
  std::string pending, sni;  // before `report`, which reads `sni` through head.authority
  const RequestReport report(ctx, head, info, snap);

  if (listener != nullptr && listener->passthrough && !co_await read_client_hello(ctx, client, pending, sni)) {
    info.flags |= kDownstreamProtocolError;
    co_return;
  }
  head.authority = sni;
  const snapshot::L4Route* route =
      service != nullptr ? &service->route(destination ? &*destination : nullptr) : listener->route(sni);
  if (route == nullptr) {
    info.flags |= kNoRoute;
    spdlog::debug("port {}: no route for {}", binding.port, sni.empty() ? "this connection" : "SNI " + sni);
    co_return;
  }
  info.route_name = route->name;
  const auto choice = route->split.pick(ctx.rng().next());
  if (!choice) co_return;
  const uint32_t cluster_id = route->clusters[*choice];
  info.cluster = cluster_id;
  tcp::socket upstream_socket(ctx.io());
  policy::ResourceToken slot;
  std::string why;
  if (!co_await connect_upstream(ctx, *table, cluster_id, binding.original_dst, upstream_socket, slot, why, info)) {
    spdlog::debug("port {} ({}): {}", binding.port, route->name, why);
    co_return;
  }
  info.cluster_name = snap.clusters[cluster_id].name;
  ctx.connection_opened(info);
  boost::system::error_code ignored;
  upstream_socket.set_option(tcp::no_delay(true), ignored);
  const policy::ClusterPolicy& policy = snap.clusters[cluster_id].policy;
  upstream::apply_tcp_keepalive(upstream_socket, policy.connection_pool);
  const auto ends_at = upstream::connection_close_at(policy.connection_pool, Clock::now());
  if (!co_await send_proxy_header(policy, client, upstream_socket)) {
    info.flags |= kUpstreamConnectionFailure;
    co_return;
  }
  const auto idle = policy.connection_pool.tcp_idle_timeout;
  TunnelBytes bytes;
  co_await run_tunnel(client, upstream_socket, pending, {}, std::chrono::duration_cast<Clock::duration>(idle), &bytes,
                      ends_at);
  info.request_body_bytes = bytes.to_upstream;
  info.response_body_bytes = bytes.to_client;
}

}  // namespace

bool is_mesh_tcp(const snapshot::Snapshot& snap, const ListenerBinding& binding) {
  if (snap.mesh_tcp.empty()) return false;  // the common case: no TCP service at all
  if (!binding.original_dst) return snap.find_mesh_tcp(binding.port, nullptr) != nullptr;
  const route::IpAddress destination = ip_of(binding.original_dst->address());
  return snap.find_mesh_tcp(binding.port, &destination) != nullptr;
}

void start_l4_connection(WorkerContext& ctx, ListenerBinding binding, tcp::socket socket, ConnectionClosed on_closed) {
  asio::co_spawn(ctx.io(), serve_l4(ctx, std::move(binding), std::move(socket)), [on_closed](std::exception_ptr e) {
    on_closed();
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("L4 connection aborted: {}", ex.what());
    }
  });
}

}  // namespace sy::proxy
