// Options of `switchyard serve`, filled by the CLI.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/model/common.h"
#include "proxy/worker_context.h"

namespace sy::server {

struct ServeOptions {
  std::vector<std::string> config_paths;
  std::string bind = "0.0.0.0";          // address for Gateway servers without their own `bind`
  int workers = 0;                       // 0 = one per core
  config::Labels selector;               // this proxy's labels: which Gateways it implements
  std::vector<std::string> mesh_listen;  // ADDR:PORT of sidecar-outbound listeners
  std::string proxy_namespace = "default";
  std::string locality;  // "region/zone/subzone" of this proxy, for locality load balancing
  // ISTIO_MUTUAL's workload certificate chain, key and mesh roots (snapshot/workload_identity.h).
  std::string workload_cert, workload_key, workload_ca;
  // The mesh's trust domain (MeshConfig trustDomain): ISTIO_MUTUAL expects the endpoints'
  // serviceAccounts as spiffe://TRUST_DOMAIN/ns/NS/sa/ACCOUNT.
  std::string trust_domain = "cluster.local";
  proxy::ProxyOptions proxy;
  // Client connections open at once across every listener and worker; 0 = the descriptor limit
  // minus a reserve for upstream connections and files (server/connection_limit.h).
  uint32_t max_connections = 0;
  // Resident memory (MiB) near which new connections are shed (server/memory_guard.h); unset =
  // the cgroup's memory limit when there is one, 0 = off.
  std::optional<uint32_t> overload_memory_mb;
  std::chrono::milliseconds drain_time{5000};
  std::string access_log = "-";            // PATH, "-" (stdout) or "off"
  std::string access_log_format = "text";  // text (Envoy's default format) or json
  std::string admin = "127.0.0.1:15000";   // admin listener HOST:PORT, or "off"
  bool watch = true;                       // reload when the config files change
  std::chrono::milliseconds reload_debounce{100};
};

// Runs until SIGTERM/SIGINT. Returns the process exit code.
int run_serve(const ServeOptions& opts);

}  // namespace sy::server
