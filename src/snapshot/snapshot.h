// The compiled, immutable routing state for one config version (docs/architecture.md, habit:
// compile once, publish once). Built once by compile() on the config thread, published through
// SnapshotStore, then read concurrently by every worker without locks: nothing in here is
// mutated after compile() returns. A worker pins
// the shared_ptr for the duration of a request, so a reload never frees state in use.
//
// Request path, in the order a worker walks it:
//   Listener (gateway bind+port, or a mesh port)          -> find_listener / find_mesh
//   VirtualHost via Listener::hosts (exact > *.longest > *) -> snapshot/router.h route()
//   RouteEntry, first whose RequestMatch holds             -> RouteAction
//   RouteAction::split picks a RouteDestination            -> Cluster (by id) -> Endpoints + ClusterPolicy
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/config_set.h"
#include "policy/cluster_policy.h"
#include "policy/retry_policy.h"
#include "policy/route_policies.h"
#include "route/host_table.h"
#include "route/ip_prefix.h"
#include "route/redirect.h"
#include "route/request_match.h"
#include "route/rewrite.h"
#include "snapshot/workload_identity.h"
#include "split/weighted_choice.h"
#include "tls/client_tls.h"
#include "tls/server_tls.h"

namespace sy::snapshot {

// Who this gateway proxy is; decides which Gateways, DRs, match blocks and exports apply.
struct CompileOptions {
  uint64_t version = 0;                         // monotonically increasing, chosen by the loader/reloader
  std::string proxy_namespace = "default";      // short request hosts expand here; exportTo target
  config::Labels proxy_labels;                  // empty => every Gateway applies
  std::string root_namespace = "istio-system";  // last place a DestinationRule is looked up
  WorkloadIdentity workload;                    // ISTIO_MUTUAL's certificates (workload_identity.h)
  // The mesh's trust domain (MeshConfig trustDomain, `serve --trust-domain`): the SPIFFE
  // identities ISTIO_MUTUAL expects of endpoints with a serviceAccount (service_identities.h).
  std::string trust_domain = "cluster.local";
  // This proxy's locality "region/zone/subzone" (serve --locality); empty = none, and then
  // locality load balancing does nothing, as for an Istio proxy without a locality.
  std::string locality;
};

// === Clusters ===

struct Endpoint {
  std::string address;  // IP, DNS name (DNS clusters; resolved at runtime) or unix:// path
  uint32_t port = 0;    // endpoint ports[portName] > ServiceEntry targetPort > port number
  config::Labels labels;
  uint32_t weight = 1;  // 0/absent in config => 1
  std::string locality;
  std::string network;
  // Locality load balancing against CompileOptions::locality (snapshot/compile_locality.cc):
  // the priority level (0 = first choice; only with outlierDetection), the balancer weight a
  // `distribute` rule gives it (0 = none: `weight` applies), and whether a `distribute` rule
  // left its locality out (then it is never picked, as Istio drops it from the assignment).
  uint32_t priority = 0;
  uint32_t lb_weight = 0;
  bool distribute_excluded = false;
  uint32_t balancer_weight() const { return lb_weight != 0 ? lb_weight : weight; }
};

enum class Discovery {
  kStatic,         // endpoints are addresses
  kDns,            // endpoint addresses (or the host) resolved at runtime, all records used
  kDnsRoundRobin,  // resolved at runtime, first record per new connection
  kOriginalDst,    // resolution NONE: forward to the original destination (no endpoints here)
  kDynamicDns,     // resolve Host/SNI per request
  kMissing,        // unknown host/port/subset: every request gets 503 NC
};
const char* discovery_name(Discovery d);

// One upstream cluster = (service host, port, subset). `id` is its index in Snapshot::clusters,
// so workers keep per-cluster runtime state (pools, outlier state, counters) in plain arrays;
// ids are deterministic for a given config. Match state across reloads by `name`.
struct Cluster {
  uint32_t id = 0;
  std::string name;  // Istio naming: "outbound|80|v1|reviews.default.svc.cluster.local"
  std::string host;
  uint32_t port = 0;
  std::string subset;
  std::string service_namespace;
  std::string protocol;  // the ServiceEntry port protocol ("HTTP", "GRPC", ...; may be empty)
  // Requests go to the upstream in HTTP/2: a port of protocol HTTP2, GRPC or GRPC-WEB (Istio's
  // IsHTTP2), or h2UpgradePolicy UPGRADE. (useClientProtocol decides per request.)
  bool http2 = false;
  Discovery discovery = Discovery::kStatic;
  std::vector<Endpoint> endpoints;  // already filtered by the subset's labels
  policy::ClusterPolicy policy;
  std::string destination_rule;  // "ns/name" of the DR in effect, empty when none
  std::string missing_reason;    // why discovery == kMissing
  // Upstream TLS origination (policy.tls SIMPLE or MUTUAL); null: plaintext. A cluster whose TLS
  // material cannot be had is kMissing (503), never reached in plaintext.
  std::shared_ptr<const tls::ClientTls> tls;

  bool missing() const { return discovery == Discovery::kMissing; }
};

// === Routes ===

struct RouteDestination {
  config::Destination destination;  // as written in the VirtualService
  std::string host;                 // resolved (short name expanded in the VS namespace)
  uint32_t port = 0;                // resolved service port, 0 when unknown
  uint32_t cluster = 0;             // index into Snapshot::clusters (may be a kMissing cluster)
  policy::HeaderPolicy headers;     // per-destination header operations
};

struct DirectResponse {
  uint32_t status = 200;
  std::string body;
};

// What to do with a matched request. Per-route HTTP filters run in Istio's order:
// fault -> CORS -> router (rewrite, headers, mirror, timeout, retries, LB, circuit breakers).
struct RouteAction {
  enum class Kind { kForward, kRedirect, kDirectResponse };
  Kind kind = Kind::kForward;
  std::vector<RouteDestination> destinations;  // kForward
  split::WeightedChoice split;                 // parallel to destinations
  route::Redirect redirect;                    // kRedirect
  DirectResponse direct_response;              // kDirectResponse
  route::PathRewrite rewrite;                  // kForward only
  Duration timeout{0};                         // 0 = no route timeout (Istio default)
  policy::RetryPolicy retry;
  policy::FaultPolicy fault;
  std::vector<policy::MirrorPolicy> mirrors;
  bool has_cors = false;
  policy::CorsPolicy cors;
  policy::HeaderPolicy headers;  // route-level header operations
};

// RouteEntry::virtual_service of Istio's default route to a known service (mesh only).
inline constexpr uint32_t kNoVirtualService = UINT32_MAX;

// One match block of one HTTPRoute (a route with N blocks gives N entries; one without
// `match` gives one entry matching everything).
struct RouteEntry {
  route::RequestMatch match;
  RouteAction action;
  uint32_t virtual_service = 0;  // index into Snapshot::virtual_services, or kNoVirtualService
  uint32_t http_index = 0;       // position in the VS's http[]
  uint32_t match_index = 0;      // position in the route's match[] (0 when none); merged match[] if delegated
  // A rule delegated by the root's http[http_index]: the delegate VirtualService (index into
  // Snapshot::virtual_services) and its rule merged with the root's (kNoVirtualService otherwise).
  uint32_t delegate = kNoVirtualService;
  uint32_t delegate_http_index = 0;
  std::string name;  // route name, + "." + match name when both exist (Istio stat name)
  bool catch_all = false;
};

// Identity of a VirtualService for explain/diagnostics.
struct VirtualServiceInfo {
  std::string name;
  std::string namespace_;
  std::string file;
  int line = 0;
  int load_index = 0;  // config::Source::index
};

struct VirtualHost {
  std::string name;                        // first domain (plus ":port" for mesh tables)
  std::vector<std::string> domains;        // all names that select this host (mesh adds short aliases)
  bool https_redirect = false;             // from a Gateway server with tls.httpsRedirect
  std::vector<uint32_t> virtual_services;  // contributing VSs, merge order
  std::vector<RouteEntry> routes;          // merge order, catch-alls last (see compile.h)
  std::vector<std::string> dropped;        // rules not emitted and why (explain/diagnostics)
};

// A Gateway server that contributes to a listener.
struct GatewayServer {
  std::string gateway;  // "ns/name"
  uint32_t server_index = 0;
  std::string name;                // Server.name
  std::string port_name;           // Server.port.name
  std::string protocol;            // HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB
  std::vector<std::string> hosts;  // as written ("ns/host")
  bool https_redirect = false;
  bool tls_terminated = false;  // HTTPS with SIMPLE/MUTUAL/OPTIONAL_MUTUAL/ISTIO_MUTUAL
  std::string file;
  int line = 0;
};

// An HTTP route table: a gateway listener (bind, port) or a mesh port.
struct Listener {
  bool mesh = false;
  std::string bind;  // empty = all addresses
  uint32_t port = 0;
  std::string protocol;  // of the first server (HTTP or HTTPS); "HTTP" for mesh ports
  std::vector<GatewayServer> servers;
  std::vector<VirtualHost> virtual_hosts;
  route::HostTable hosts;  // domain -> index into virtual_hosts
  // HTTPS listeners: the servers' certificates by SNI (null for plaintext). A server whose
  // certificates are missing or broken is left out, so handshakes for its hosts are refused.
  std::shared_ptr<tls::ServerTls> tls;
};

// === L4 (TCP and TLS passthrough) ===

// One VirtualService tcp[] or tls[] rule on an L4 listener.
struct L4Route {
  std::string name;                    // "ns/vs tcp[i]" or "ns/vs tls[i]"
  std::vector<std::string> sni_hosts;  // tls[]: the names it takes (exact or "*.suffix"); empty for tcp[]
  std::vector<uint32_t> clusters;      // destinations, parallel to the split's weights
  split::WeightedChoice split;
};

// A Gateway port routed below HTTP: `protocol: TCP` servers (tcp[] routes) or TLS PASSTHROUGH
// servers (tls[] routes by the ClientHello's SNI; the TLS stays end to end).
struct L4Listener {
  std::string bind;
  uint32_t port = 0;
  bool passthrough = false;  // TLS: route by SNI
  std::vector<L4Route> routes;

  // The first route that takes `sni` (passthrough) or the first route at all (TCP); null if none.
  const L4Route* route(std::string_view sni) const;
};

// === Mesh TCP (a sidecar's outbound TCP: service ports below HTTP on the mesh listener) ===

// One tcp[] rule of a mesh VirtualService as it applies to one service port. Its port, gateways,
// sourceLabels and sourceNamespace were settled at compile time against this proxy (as istiod
// does when it builds the listener); destinationSubnets are left for connection time.
struct MeshTcpRule {
  L4Route route;
  std::vector<route::IpPrefix> destination_subnets;  // empty: any destination
};

// A TCP port of a service (protocol TCP, or TLS/HTTPS/MONGO/REDIS/MYSQL, which a sidecar forwards
// as opaque TCP) as the mesh listener serves it: a connection meant for it goes through the
// first rule that takes its destination, else to the service's own cluster (Istio's default).
struct MeshTcpService {
  std::string host;
  uint32_t port = 0;
  std::vector<route::IpPrefix> addresses;  // ServiceEntry addresses / the Service's cluster IP
  // Takes connections to `port` whatever their address: a service without addresses, the first
  // on a port that is no HTTP service's (Istio's 0.0.0.0:PORT listener).
  bool by_port = false;
  std::vector<MeshTcpRule> rules;  // merge order
  L4Route fallback;                // the service's own cluster: outbound|PORT||HOST

  // The route for a connection to `destination` (null: the address is not known).
  const L4Route& route(const route::IpAddress* destination) const;
};

struct Snapshot {
  uint64_t version = 0;
  uint64_t content_hash = 0;  // FNV-1a over the whole ConfigSet (see config_hash.h)
  CompileOptions options;
  std::vector<Listener> listeners;  // gateway listeners, sorted by (port, bind)
  std::vector<Listener> mesh;       // one per mesh port, sorted by port
  std::vector<L4Listener> l4;       // gateway TCP and TLS passthrough ports
  std::vector<MeshTcpService> mesh_tcp;  // sorted by port, then load order
  std::vector<Cluster> clusters;    // index == Cluster::id
  std::vector<VirtualServiceInfo> virtual_services;
  std::shared_ptr<const config::ConfigSet> config;  // what this was compiled from (explain, config_dump)
  config::Diagnostics diagnostics;                  // compile-time findings (warnings mostly)

  const Listener* find_listener(uint32_t port, std::string_view bind = {}) const;
  const Listener* find_mesh(uint32_t port) const;
  const L4Listener* find_l4(uint32_t port, std::string_view bind = {}) const;
  // The service a mesh connection to (`destination`, `port`) is meant for when that is a TCP
  // port: the first whose addresses hold the destination, else the port's by_port service; null
  // when none (the connection is HTTP). `destination` null: not known (not redirected).
  const MeshTcpService* find_mesh_tcp(uint32_t port, const route::IpAddress* destination) const;
  const Cluster* find_cluster(std::string_view name) const;
};

}  // namespace sy::snapshot
