// Internal to snapshot/compile*.cc: the state shared by the compile passes (services, clusters,
// DestinationRules, diagnostics). Lives on the config thread for one compile() call only.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "config/kube_registry.h"
#include "policy/destination_rules.h"
#include "snapshot/snapshot.h"

namespace sy::snapshot::detail {

// A host known to the registry (a ServiceEntry host, or a Kubernetes Service's, visible to this proxy).
struct ServiceInfo {
  std::string host;        // resolved, lower-case
  std::string namespace_;  // the ServiceEntry's (or Service's) namespace
  const config::ServiceEntry* entry = nullptr;
  std::string dns_name;  // the host as written: what `resolution: DNS` without endpoints resolves
  const config::KubeRegistryEntry* kube = nullptr;  // set when a Kubernetes Service defines the host
};

// One http rule as compile sees it: a VirtualService's own rule, or a delegate's rule merged into
// the root rule that delegates to it (compile_delegate.cc).
struct EffectiveRule {
  const config::HTTPRoute* rule = nullptr;
  uint32_t http_index = 0;                // position in the root VirtualService's http[]
  uint32_t delegate = kNoVirtualService;  // the delegate VirtualService's index, when merged
  uint32_t delegate_http_index = 0;       // position in the delegate's http[]
};

struct ExpandedRules {
  std::vector<EffectiveRule> rules;
  std::vector<std::string> dropped;  // root rules whose delegate is unusable, conflicting delegate rules
};

struct CompileContext {
  CompileContext(const config::ConfigSet& c, const CompileOptions& o, Snapshot& s);

  const config::ConfigSet& config;
  const CompileOptions& options;
  Snapshot& snap;
  policy::DestinationRuleIndex destination_rules;
  std::vector<config::KubeRegistryEntry> kube_registry;   // filled once before build_services; ServiceInfo points in
  std::unordered_map<std::string, ServiceInfo> services;  // exact host -> service
  std::vector<ServiceInfo> wildcard_services;             // "*.example.com" hosts
  std::vector<std::string> service_order;                 // exact hosts in load order
  std::unordered_map<std::string, uint32_t> cluster_ids;  // "host|port|subset" -> id
  std::vector<const config::VirtualService*> virtual_services;  // load order; index = VirtualServiceInfo index
  std::unordered_set<std::string> warned;                       // a VS compiled into several tables warns once
  std::unordered_map<uint32_t, ExpandedRules> expanded;         // by VS index, built on first use
  std::deque<config::HTTPRoute> merged_rules;                   // owns merged delegate rules (stable addresses)

  const ServiceInfo* find_service(std::string_view host) const;
  // The cluster for a destination, creating a kMissing cluster (503 NC) when the host, port or
  // subset does not exist. `context_port` is the mesh port the request came in on (0 at a
  // gateway); a destination without a port uses the service's only port, else that one.
  uint32_t resolve_cluster(const std::string& host, const std::optional<config::PortSelector>& port,
                           const std::string& subset, uint32_t context_port, uint32_t* resolved_port = nullptr);
  uint32_t add_cluster(Cluster c);

  void warn(const std::string& kind, const std::string& object, const config::Source& src, const std::string& path,
            const std::string& message);
};

std::string cluster_key(std::string_view host, uint32_t port, std::string_view subset);
std::string cluster_name(std::string_view host, uint32_t port, std::string_view subset);
bool labels_select(const config::Labels& selector, const config::Labels& labels);
bool is_http_protocol(std::string_view protocol);
// The workloads behind a ServiceEntry: inline endpoints, or WorkloadEntries in its namespace
// selected by its workloadSelector (compile_clusters.cc).
std::vector<const config::WorkloadEntrySpec*> workloads_of(const CompileContext& ctx, const config::ServiceEntry& se);

// Passes, in the order compile() runs them.
void build_services(CompileContext& ctx);
void build_clusters(CompileContext& ctx);
// Upstream TLS of a cluster whose policy originates it (cluster_tls.cc); unusable material makes
// the cluster kMissing (503), never plaintext.
void attach_client_tls(CompileContext& ctx, Cluster& c);
// compile_locality.cc: endpoint priorities and balancer weights from the proxy's locality, and
// the warning that localityLbSetting rules are inert without one.
void apply_locality(CompileContext& ctx, Cluster& c);
void warn_locality_without_proxy_locality(CompileContext& ctx);
void build_gateway_listeners(CompileContext& ctx);
void build_l4_listeners(CompileContext& ctx);
// Shared by the gateway passes.
bool gateway_applies(const config::Gateway& g, const CompileOptions& o);
bool vs_binds_to(const config::VirtualService& vs, const std::string& gateway_ref);
// A TCP server, or a TLS/HTTPS server in PASSTHROUGH mode: routed by tcp[]/tls[] rules.
bool is_l4_server(const config::Server& s);
void build_mesh(CompileContext& ctx);
// compile_mesh_tcp.cc: the services' TCP ports on the mesh listener; runs after build_mesh (an
// HTTP port there decides which TCP services are found by port alone).
void build_mesh_tcp(CompileContext& ctx);
// A VirtualService that applies on the mesh listener: `gateways` absent or naming `mesh`.
bool vs_bound_to_mesh(const config::VirtualService& vs);
// One tcp[]/tls[] rule's destinations as an L4 route (compile_l4.cc), warning (at `path`) about a
// destination whose connections will be closed. `context_port` as for resolve_cluster.
L4Route make_l4_route(CompileContext& ctx, const config::VirtualService& vs,
                      const std::vector<config::RouteDestination>& route, const std::string& name,
                      const std::string& path, uint32_t context_port);

// The rules VirtualService `vs_index` compiles into, delegates expanded (compile_delegate.cc).
const ExpandedRules& expanded_rules(CompileContext& ctx, uint32_t vs_index);
// Appends the entries of one VirtualService to `out` (compile_route.cc). `context_port` is the
// mesh port (0 at gateways). Stops after the VS's first catch-all entry, recording what it drops.
void append_vs_routes(CompileContext& ctx, uint32_t vs_index, const route::BuildScope& scope, uint32_t context_port,
                      VirtualHost& out);
// Stable-partitions catch-all entries to the end (gateway merge rule).
void move_catch_alls_last(VirtualHost& vh);

}  // namespace sy::snapshot::detail
