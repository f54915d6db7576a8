#include "admin/admin_json.h"

#include <unordered_set>

#include <fmt/format.h>

#include <cctype>

#include "explain/explain.h"

namespace sy::admin {

using nlohmann::json;

namespace {

template <class T>
json object_list(const std::vector<T>& objs) {
  json arr = json::array();
  for (const auto& o : objs)
    arr.push_back(
        {{"namespace", o.meta.namespace_}, {"name", o.meta.name}, {"file", o.source.file}, {"line", o.source.line}});
  return arr;
}

json route_json(const snapshot::Snapshot& snap, const snapshot::RouteEntry& r) {
  static const char* kinds[] = {"forward", "redirect", "direct_response"};
  const auto& a = r.action;
  json j = {{"name", r.name},
            {"match", r.match.describe()},
            {"action", kinds[static_cast<int>(a.kind)]},
            {"timeout", a.timeout.count() == 0 ? "none" : format_duration(a.timeout)},
            {"retries", a.retry.num_retries}};
  if (r.virtual_service < snap.virtual_services.size()) {
    const auto& vs = snap.virtual_services[r.virtual_service];
    j["virtual_service"] = vs.namespace_ + "/" + vs.name;
    j["http_index"] = r.http_index;
    if (r.delegate < snap.virtual_services.size()) {
      const auto& del = snap.virtual_services[r.delegate];
      j["delegate"] = {{"virtual_service", del.namespace_ + "/" + del.name}, {"http_index", r.delegate_http_index}};
    }
  } else {
    j["virtual_service"] = "(default route)";
  }
  json dests = json::array();
  for (uint32_t i = 0; i < a.destinations.size(); ++i) {
    const auto& d = a.destinations[i];
    const bool weighted = i < a.split.size();
    dests.push_back({{"host", d.host},
                     {"subset", d.destination.subset},
                     {"port", d.port},
                     {"weight", weighted ? a.split.weight(i) : 0},
                     {"percent", weighted ? a.split.percent(i) : 0.0},
                     {"cluster", d.cluster < snap.clusters.size() ? snap.clusters[d.cluster].name : std::string()}});
  }
  j["destinations"] = std::move(dests);
  if (a.kind == snapshot::RouteAction::Kind::kDirectResponse) j["status"] = a.direct_response.status;
  return j;
}

json listener_json(const snapshot::Snapshot& snap, const snapshot::Listener& l) {
  json servers = json::array();
  for (const auto& s : l.servers)
    servers.push_back({{"gateway", s.gateway}, {"name", s.name}, {"protocol", s.protocol}, {"hosts", s.hosts}});
  json vhosts = json::array();
  for (const auto& vh : l.virtual_hosts) {
    json routes = json::array();
    for (const auto& r : vh.routes) routes.push_back(route_json(snap, r));
    vhosts.push_back(
        {{"name", vh.name}, {"domains", vh.domains}, {"routes", std::move(routes)}, {"dropped", vh.dropped}});
  }
  return {{"mesh", l.mesh},
          {"bind", l.bind.empty() ? "0.0.0.0" : l.bind},
          {"port", l.port},
          {"protocol", l.protocol},
          {"servers", std::move(servers)},
          {"virtual_hosts", std::move(vhosts)}};
}

json endpoint_json(const snapshot::Endpoint& e) {
  return {{"address", e.address},
          {"port", e.port},
          {"labels", e.labels},
          {"weight", e.weight},
          {"locality", e.locality},
          {"network", e.network},
          // Locality LB: priority level (0 = first choice) and the weight the balancer uses
          // (a distribute rule's share; 0 = left out by distribute, never picked).
          {"priority", e.priority},
          {"lb_weight", e.distribute_excluded ? 0 : e.balancer_weight()}};
}

json cluster_base(const snapshot::Cluster& c) {
  json eps = json::array();
  for (const auto& e : c.endpoints) eps.push_back(endpoint_json(e));
  json j = {{"name", c.name},
            {"host", c.host},
            {"port", c.port},
            {"subset", c.subset},
            {"namespace", c.service_namespace},
            {"discovery", snapshot::discovery_name(c.discovery)},
            {"destination_rule", c.destination_rule},
            {"endpoints", std::move(eps)}};
  if (c.missing()) j["missing_reason"] = c.missing_reason;
  return j;
}

}  // namespace

json config_dump_json(const snapshot::Snapshot* snap, const server::ReloadStatus& status,
                      const std::vector<server::ListenerFailure>& failed_listeners) {
  json rejected = json::array();
  for (const auto& r : status.rejected) {
    json errors = json::array();
    for (const auto& d : r.errors) errors.push_back(d.to_string());
    rejected.push_back({{"object", r.key}, {"kept_previous", r.kept_previous}, {"errors", std::move(errors)}});
  }
  json j = {{"version", status.version},
            {"content_hash", fmt::format("{:016x}", status.content_hash)},
            {"reloads", {{"ok", status.reloads_ok}, {"rejected", status.reloads_failed}}},
            {"last_reload_rejected", std::move(rejected)}};
  json failed = json::array();
  for (const auto& f : failed_listeners) {
    const auto since = std::chrono::duration_cast<std::chrono::seconds>(f.since.time_since_epoch()).count();
    failed.push_back({{"address", f.address}, {"error", f.error}, {"attempts", f.attempts}, {"since_unix", since}});
  }
  j["listeners_failed"] = std::move(failed);
  j["applied"] = status.applied;
  if (!snap) return j;
  j["snapshot_version"] = snap->version;
  if (snap->config) {
    const auto& c = *snap->config;
    j["files"] = c.files;
    j["objects"] = {{"gateways", object_list(c.gateways)},
                    {"virtual_services", object_list(c.virtual_services)},
                    {"destination_rules", object_list(c.destination_rules)},
                    {"service_entries", object_list(c.service_entries)},
                    {"workload_entries", object_list(c.workload_entries)},
                    {"secrets", object_list(c.secrets)},
                    {"services", object_list(c.services)},
                    {"endpoint_slices", object_list(c.endpoint_slices)}};
  }
  json listeners = json::array();
  for (const auto& l : snap->listeners) listeners.push_back(listener_json(*snap, l));
  for (const auto& l : snap->mesh) listeners.push_back(listener_json(*snap, l));
  j["listeners"] = std::move(listeners);
  json clusters = json::array();
  for (const auto& c : snap->clusters) {
    json cj = cluster_base(c);
    cj["policy"] = explain::cluster_policy_json(c.policy);
    clusters.push_back(std::move(cj));
  }
  j["clusters"] = std::move(clusters);
  json diags = json::array();
  for (const auto& d : snap->diagnostics.items()) diags.push_back(d.to_string());
  j["diagnostics"] = std::move(diags);
  return j;
}

json clusters_json(const snapshot::Snapshot* snap,
                   const std::optional<std::vector<policy::ClusterStateRegistry::ClusterView>>& view) {
  json arr = json::array();
  if (!snap) return {{"clusters", arr}};
  for (const auto& c : snap->clusters) {
    json cj = cluster_base(c);
    const policy::ClusterStateRegistry::ClusterView* v = nullptr;
    if (view)
      for (const auto& cv : *view)
        if (cv.stats.name == c.name) v = &cv;
    auto health = [](json& ej, const policy::EndpointOutlierView& e) {
      ej["health"] = e.ejected ? "EJECTED" : "HEALTHY";
      ej["times_ejected"] = e.times_ejected;
      ej["consecutive_5xx"] = e.consecutive_5xx;
      ej["consecutive_gateway_errors"] = e.consecutive_gateway;
    };
    std::unordered_set<std::string> configured;
    for (size_t i = 0; i < c.endpoints.size(); ++i) {
      auto& ej = cj["endpoints"][i];
      ej["health"] = "HEALTHY";
      if (!v) continue;
      const auto key = policy::endpoint_key(c.endpoints[i].address, c.endpoints[i].port);
      configured.insert(key);
      for (const auto& e : v->endpoints)
        if (e.key == key) health(ej, e);
    }
    // `resolution: DNS`: each address a name resolved to is a host of its own for outlier detection.
    if (v)
      for (const auto& e : v->endpoints)
        if (!configured.contains(e.key)) {
          json ej = {{"address", e.key}};
          health(ej, e);
          cj["resolved_endpoints"].push_back(std::move(ej));
        }
    if (v) {
      const auto& s = v->stats;
      const auto& b = s.breaker;
      cj["stats"] = {{"rq_active", b.rq_active},
                     {"rq_pending_active", b.rq_pending_active},
                     {"cx_active", b.cx_active},
                     {"rq_total", s.rq_total},
                     {"rq_retry", s.rq_retry},
                     {"rq_timeout", s.rq_timeout},
                     {"ejections_active", s.outlier.ejections_active},
                     {"ejections_total", s.outlier.ejections_total}};
      cj["circuit_breakers"] = {{"cx_open", b.cx_open},
                                {"rq_open", b.rq_open},
                                {"rq_pending_open", b.rq_pending_open},
                                {"rq_retry_open", b.rq_retry_open},
                                {"rq_pending_overflow", b.rq_pending_overflow + b.rq_overflow},
                                {"cx_overflow", b.cx_overflow},
                                {"rq_retry_overflow", b.rq_retry_overflow}};
    }
    cj["policy"] = explain::cluster_policy_json(c.policy);
    arr.push_back(std::move(cj));
  }
  return {{"version", snap->version}, {"clusters", std::move(arr)}};
}

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool parse_explain_query(std::string_view query, ExplainQuery& out, std::string& error) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string key = url_decode(part.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1));
    if (key == "method") {
      out.method = value;
    } else if (key == "url") {
      out.url = value;
    } else if (key == "gateway") {
      out.gateway = value;
    } else if (key == "mesh") {
      out.mesh = value != "0" && value != "false";
    } else if (key == "header") {
      auto colon = value.find(':');
      if (colon == std::string::npos || colon == 0) {
        error = "header must be name:value, got \"" + value + "\"";
        return false;
      }
      auto v = value.substr(colon + 1);
      v.erase(0, v.find_first_not_of(' '));
      out.headers.emplace_back(value.substr(0, colon), v);
    } else {
      error = "unknown parameter \"" + key + "\"";
      return false;
    }
  }
  if (out.url.empty()) {
    error = "missing url";
    return false;
  }
  return true;
}

json explain_json(const snapshot::Snapshot& snap, const ExplainQuery& q) {
  explain::ExplainRequest req;
  req.method = q.method;
  req.url = q.url;
  req.headers = q.headers;
  if (q.mesh) {
    req.gateway = "mesh";
  } else if (!q.gateway.empty()) {
    req.gateway = q.gateway;
  } else if (snap.config && snap.config->gateways.size() == 1) {
    const auto& gw = snap.config->gateways.front().meta;
    req.gateway = gw.namespace_ + "/" + gw.name;
  }
  return explain::explain(snap, req).to_json();
}

}  // namespace sy::admin
