// `switchyard explain`: what a snapshot would do with one request, and why. Pure: reads a
// Snapshot, allocates freely (this is the debugging path, not the data path), runs the same
// matching code as the workers (RequestMatch::first_failure shares its implementation with
// matches()). The result is self-contained (copies, no pointers into the snapshot).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/cluster_policy.h"
#include "policy/retry_policy.h"
#include "policy/route_policies.h"
#include "snapshot/snapshot.h"

namespace sy::explain {

struct ExplainRequest {
  std::string gateway = "mesh";  // "ns/name", a bare gateway name (any namespace), or "mesh"
  std::string method = "GET";
  // "http://host[:port]/path?query"; scheme defaults to http. Without a port: the gateway's only
  // listener port (or 80/443), or in mesh mode the only port the host is served on.
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ClusterInfo {
  uint32_t id = 0;
  std::string name;
  std::string discovery;  // STATIC, DNS, ..., MISSING
  bool missing = false;
  std::string missing_reason;
  std::vector<std::string> endpoints;  // "10.0.0.1:9080 weight=1 {version=v1}"
  std::string destination_rule;
  policy::ClusterPolicy policy;
};

struct DestinationInfo {
  std::string host;
  std::string subset;
  uint32_t port = 0;
  uint32_t weight = 0;  // effective relative weight (0 = dropped)
  double percent = 0;
  ClusterInfo cluster;
};

struct MirrorInfo {
  std::string host;
  std::string subset;
  double percent = 0;
  ClusterInfo cluster;
};

// An entry tried before the one that matched (or all of them when none did).
struct RouteCheck {
  uint32_t index = 0;  // position in the virtual host's merged list
  std::string name;
  std::string virtual_service;  // "ns/name"
  uint32_t http_index = 0, match_index = 0;
  int line = 0;            // line of spec.http[N].match[M] (or spec.http[N]) in the VS file
  std::string conditions;  // RequestMatch::describe()
  std::string failure;     // first failing condition
  std::string delegate;    // "ns/name http[J] (file:line)" when the rule comes from a delegate VirtualService
};

struct ExplainResult {
  enum class Outcome { kRouted, kRedirect, kDirectResponse, kHttpsRedirect, kNotFound, kBadRequest };
  Outcome outcome = Outcome::kNotFound;
  uint32_t status = 404;  // what the client would get before any upstream is involved (200 = forwarded)
  std::string reason;     // why 404/400, e.g. "no virtual host for \"x.io\" on 0.0.0.0:80"

  // The request as understood.
  std::string gateway, method, scheme, authority, path;
  uint32_t port = 0;
  bool port_from_url = false;  // false: the port was inferred (see ExplainRequest::url)
  std::string port_note;       // how an inferred port was chosen
  uint64_t snapshot_version = 0;

  // Listener and servers.
  bool listener_found = false;
  std::string listener;              // "0.0.0.0:80 HTTP" or "mesh:9080"
  std::vector<std::string> servers;  // "edge/gw servers[0] http HTTP hosts=[*] (gw.yaml:12)"

  // Virtual host.
  std::string virtual_host;
  std::vector<std::string> domains;
  std::vector<std::string> virtual_services;  // "ns/name (file:line)", merge order
  std::vector<std::string> dropped_rules;     // rules not compiled in and why

  std::vector<RouteCheck> not_matched;  // earlier entries, each with its first failing condition

  // Matched route.
  bool matched = false;
  uint32_t route_index = 0;
  std::string route_name;
  std::string virtual_service;  // "ns/name"
  std::string virtual_service_file;
  int virtual_service_line = 0;
  int route_line = 0;                        // line of spec.http[N] (falls back to the VS line)
  uint32_t http_index = 0, match_index = 0;  // the root's rule; match_index in the merged match[] if delegated
  std::string delegate;  // "ns/name http[J] (file:line)": the delegate rule merged into http[http_index]
  std::string conditions;

  // Action and policies of the matched route.
  std::vector<DestinationInfo> destinations;
  std::string location;  // redirect / httpsRedirect target
  std::string direct_body;
  std::string rewrite;  // PathRewrite::describe()
  std::string rewritten_path;
  Duration timeout{0};
  policy::RetryPolicy retry;
  policy::FaultPolicy fault;
  std::vector<MirrorInfo> mirrors;
  bool has_cors = false;
  policy::CorsPolicy cors;
  policy::HeaderPolicy headers;

  nlohmann::json to_json() const;
  std::string to_text() const;
};

ExplainResult explain(const snapshot::Snapshot& snap, const ExplainRequest& req);

const char* outcome_name(ExplainResult::Outcome o);

// A cluster's effective policy (defaults filled in, with the source of each part), as explain
// prints it; also used by the admin /config_dump and /clusters.
nlohmann::json cluster_policy_json(const policy::ClusterPolicy& p);

}  // namespace sy::explain
