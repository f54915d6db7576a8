// JSON bodies of the admin endpoints. Pure functions over immutable inputs (a snapshot, copies
// of the reload status and of the cluster-state view); called on the admin thread.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "policy/cluster_state.h"
#include "server/listener_failure.h"
#include "server/reloader.h"
#include "snapshot/snapshot.h"

namespace sy::admin {

// Version, hash, files, the objects loaded, the listeners/routes/clusters as compiled (defaults
// filled in), what the last reload rejected and the listeners whose port has not opened yet.
nlohmann::json config_dump_json(const snapshot::Snapshot* snap, const server::ReloadStatus& status,
                                const std::vector<server::ListenerFailure>& failed_listeners = {});

// Every cluster with its endpoints (labels, weight, ejection state) and, when the shared cluster
// state is available, active requests/connections and circuit-breaker usage.
nlohmann::json clusters_json(const snapshot::Snapshot* snap,
                             const std::optional<std::vector<policy::ClusterStateRegistry::ClusterView>>& view);

// Parses the query of /explain into an ExplainRequest as JSON; error text when malformed.
struct ExplainQuery {
  std::string method = "GET", url, gateway;
  bool mesh = false;
  std::vector<std::pair<std::string, std::string>> headers;
};
bool parse_explain_query(std::string_view query, ExplainQuery& out, std::string& error);
nlohmann::json explain_json(const snapshot::Snapshot& snap, const ExplainQuery& q);

// "%2F" and "+" decoding of one query component.
std::string url_decode(std::string_view s);

}  // namespace sy::admin
