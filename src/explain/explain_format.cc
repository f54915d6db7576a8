// ExplainResult -> JSON (for tools) and multi-line text (for people).
#include <fmt/format.h>

#include "explain/explain.h"
#include "policy/retry_budget.h"

namespace sy::explain {
namespace {

using nlohmann::json;

std::string dur(Duration d) { return d.count() == 0 ? "none" : format_duration(d); }

std::string limit(uint32_t v) { return v == policy::kUnlimited ? "unlimited" : std::to_string(v); }

json to_json(const policy::ClusterPolicy& p) {
  const auto& lb = p.load_balancer;
  json lbj = {{"algorithm", policy::lb_algorithm_name(lb.algorithm)}, {"source", p.sources.load_balancer}};
  if (lb.algorithm == policy::LbAlgorithm::kConsistentHash) {
    static const char* keys[] = {"httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName"};
    lbj["hashKey"] = keys[static_cast<int>(lb.hash.key)];
    lbj["hashName"] = lb.hash.name;
  }
  const auto& cp = p.connection_pool;
  json pool = {{"maxConnections", cp.max_connections},
               {"connectTimeout", dur(cp.connect_timeout)},
               {"http1MaxPendingRequests", cp.http1_max_pending_requests},
               {"http2MaxRequests", cp.http2_max_requests},
               {"maxRequestsPerConnection", cp.max_requests_per_connection},
               {"maxRetries", cp.max_retries},
               {"idleTimeout", dur(cp.http_idle_timeout)},
               {"source", p.sources.connection_pool}};
  const auto& od = p.outlier;
  json outlier = {{"enabled", od.enabled}, {"source", p.sources.outlier_detection}};
  if (od.enabled) {
    outlier.update({{"consecutive5xxErrors", od.consecutive_5xx},
                    {"consecutiveGatewayErrors", od.consecutive_gateway},
                    {"interval", dur(od.interval)},
                    {"baseEjectionTime", dur(od.base_ejection_time)},
                    {"maxEjectionPercent", od.max_ejection_percent},
                    {"minHealthPercent", od.min_health_percent}});
  }
  static const char* tls_modes[] = {"DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"};
  json tls = {{"mode", tls_modes[static_cast<int>(p.tls.mode)]}, {"sni", p.tls.sni}, {"source", p.sources.tls}};
  return {{"loadBalancer", lbj}, {"connectionPool", pool}, {"outlierDetection", outlier}, {"tls", tls}};
}

json to_json(const ClusterInfo& c) {
  json j = {{"id", c.id},
            {"name", c.name},
            {"discovery", c.discovery},
            {"endpointCount", c.endpoints.size()},
            {"endpoints", c.endpoints},
            {"destinationRule", c.destination_rule}};
  if (c.missing) {
    j["missing"] = true;
    j["missingReason"] = c.missing_reason;
  } else {
    j["policy"] = to_json(c.policy);
  }
  return j;
}

json to_json(const policy::HeaderOps& h) { return {{"set", h.set}, {"add", h.add}, {"remove", h.remove}}; }

json retry_json(const policy::RetryPolicy& r) {
  return {{"attempts", r.num_retries},
          {"retryOn", policy::format_retry_on(r.retry_on)},
          {"perTryTimeout", dur(r.per_try_timeout)},
          {"backoff", dur(r.backoff_base)},
          {"retryIgnorePreviousHosts", r.retry_ignore_previous_hosts},
          {"default", r.is_default}};
}

std::string retry_text(const policy::RetryPolicy& r) {
  if (!r.enabled()) return "disabled";
  return fmt::format("{} attempts on {}, perTryTimeout {}{}", r.num_retries, policy::format_retry_on(r.retry_on),
                     dur(r.per_try_timeout), r.is_default ? " (Istio default)" : "");
}

std::string fault_text(const policy::FaultPolicy& f) {
  std::string s;
  if (f.has_delay) s = fmt::format("delay {} for {}%", dur(f.delay), f.delay_percent.percent());
  if (f.has_abort) {
    std::string what = f.abort_grpc_status.empty() ? std::to_string(f.abort_http_status)
                                                   : "grpc " + f.abort_grpc_status;
    s += fmt::format("{}abort {} for {}%", s.empty() ? "" : "; ", what, f.abort_percent.percent());
  }
  return s.empty() ? "none" : s;
}

std::string policy_text(const policy::ClusterPolicy& p) {
  const auto& cp = p.connection_pool;
  std::string s = fmt::format(
      "lb {} [{}]; pool maxConnections={} http1MaxPendingRequests={} http2MaxRequests={} "
      "maxRequestsPerConnection={} maxRetries={} connectTimeout={} idleTimeout={} [{}]",
      policy::lb_algorithm_name(p.load_balancer.algorithm), p.sources.load_balancer, limit(cp.max_connections),
      limit(cp.http1_max_pending_requests), limit(cp.http2_max_requests),
      cp.max_requests_per_connection == 0 ? std::string("unlimited") : std::to_string(cp.max_requests_per_connection),
      limit(cp.max_retries), dur(cp.connect_timeout), dur(cp.http_idle_timeout), p.sources.connection_pool);
  // switchyard's retry budget applies to every cluster (a DestinationRule retryBudget replaces it).
  const policy::RetryBudgetConfig budget = policy::RetryBudgetConfig::from(p);
  s += fmt::format("; retryBudget {}% min {} [{}]", budget.percent, budget.min_concurrency,
                   budget.from_destination_rule ? "DestinationRule" : "default");
  if (p.outlier.enabled)
    s += fmt::format(
        "; outlier consecutive5xxErrors={} consecutiveGatewayErrors={} interval={} baseEjectionTime={} "
        "maxEjectionPercent={} minHealthPercent={} [{}]",
        p.outlier.consecutive_5xx, p.outlier.consecutive_gateway, dur(p.outlier.interval),
        dur(p.outlier.base_ejection_time), p.outlier.max_ejection_percent, p.outlier.min_health_percent,
        p.sources.outlier_detection);
  else s += "; outlier detection off";
  return s;
}

}  // namespace

json cluster_policy_json(const policy::ClusterPolicy& p) { return to_json(p); }

json ExplainResult::to_json() const {
  json j = {{"outcome", outcome_name(outcome)},
            {"status", status},
            {"reason", reason},
            {"snapshotVersion", snapshot_version},
            {"request",
             {{"gateway", gateway},
              {"method", method},
              {"scheme", scheme},
              {"authority", authority},
              {"path", path},
              {"port", port},
              {"portFromUrl", port_from_url},
              {"portNote", port_note}}}};
  if (!listener_found) return j;
  j["listener"] = {{"name", listener}, {"servers", servers}};
  if (virtual_host.empty()) return j;
  j["virtualHost"] = {{"name", virtual_host},
                      {"domains", domains},
                      {"virtualServices", virtual_services},
                      {"droppedRules", dropped_rules}};
  json tried = json::array();
  for (const auto& c : not_matched)
    tried.push_back({{"index", c.index},
                     {"name", c.name},
                     {"virtualService", c.virtual_service},
                     {"httpIndex", c.http_index},
                     {"matchIndex", c.match_index},
                     {"line", c.line},
                     {"conditions", c.conditions},
                     {"failure", c.failure},
                     {"delegate", c.delegate}});
  j["notMatched"] = tried;
  if (!location.empty()) j["location"] = location;
  if (!matched) return j;
  json dests = json::array();
  for (const auto& d : destinations)
    dests.push_back({{"host", d.host},
                     {"subset", d.subset},
                     {"port", d.port},
                     {"weight", d.weight},
                     {"percent", d.percent},
                     {"cluster", explain::to_json(d.cluster)}});
  json mirrors_j = json::array();
  for (const auto& m : mirrors)
    mirrors_j.push_back(
        {{"host", m.host}, {"subset", m.subset}, {"percent", m.percent}, {"cluster", explain::to_json(m.cluster)}});
  j["route"] = {
      {"index", route_index},
      {"name", route_name},
      {"virtualService", virtual_service},
      {"file", virtual_service_file},
      {"line", route_line},
      {"virtualServiceLine", virtual_service_line},
      {"httpIndex", http_index},
      {"matchIndex", match_index},
      {"delegate", delegate},
      {"conditions", conditions},
      {"destinations", dests},
      {"timeout", dur(timeout)},
      {"retries", retry_json(retry)},
      {"fault", fault_text(fault)},
      {"mirrors", mirrors_j},
      {"rewrite", rewrite},
      {"rewrittenPath", rewritten_path},
      {"headers", {{"request", explain::to_json(headers.request)}, {"response", explain::to_json(headers.response)}}}};
  if (outcome == Outcome::kDirectResponse) j["route"]["directResponse"] = {{"status", status}, {"body", direct_body}};
  if (has_cors)
    j["route"]["cors"] = {{"allowMethods", cors.allow_methods},         {"allowHeaders", cors.allow_headers},
                          {"exposeHeaders", cors.expose_headers},       {"maxAge", cors.max_age},
                          {"allowCredentials", cors.allow_credentials}, {"allowOrigins", cors.allow_origins.size()}};
  return j;
}

std::string ExplainResult::to_text() const {
  std::string s = fmt::format("{} {}://{}{} via {} (port {})\n", method, scheme, authority, path, gateway, port);
  auto line = [&](std::string_view label, const std::string& value) { s += fmt::format("  {:<16}{}\n", label, value); };
  if (!port_note.empty()) line("port", port_note);
  if (!listener_found) {
    line("result", fmt::format("{} {}: {}", status, outcome_name(outcome), reason));
    return s;
  }
  line("listener", listener);
  for (const auto& srv : servers) line("server", srv);
  if (virtual_host.empty()) {
    line("result", fmt::format("{} {}: {}", status, outcome_name(outcome), reason));
    return s;
  }
  line("virtual host", fmt::format("{} (domains: {})", virtual_host, fmt::join(domains, ", ")));
  for (const auto& vs : virtual_services) line("virtualservice", vs);
  for (const auto& d : dropped_rules) line("dropped", d);
  for (const auto& c : not_matched)
    line(fmt::format("route #{}", c.index),
         fmt::format("{} [{} http[{}] match[{}], line {}{}] no: {}", c.name.empty() ? "(unnamed)" : c.name,
                     c.virtual_service, c.http_index, c.match_index, c.line,
                     c.delegate.empty() ? "" : ", via delegate " + c.delegate, c.failure));
  if (!matched) {
    if (!location.empty()) line("location", location);
    line("result", fmt::format("{} {}: {}", status, outcome_name(outcome), reason));
    return s;
  }
  // Istio's default route to a known service comes from no VirtualService, so it has no file.
  const std::string where = virtual_service_file.empty()
                                ? virtual_service
                                : fmt::format("{} http[{}] match[{}], {}:{}", virtual_service, http_index, match_index,
                                              virtual_service_file, route_line) +
                                      (delegate.empty() ? "" : ", via delegate " + delegate);
  line(fmt::format("route #{}", route_index),
       fmt::format("{} [{}] MATCHED ({})", route_name.empty() ? "(unnamed)" : route_name, where, conditions));
  line("result", fmt::format("{} {}", status, outcome_name(outcome)));
  if (!location.empty()) line("location", location);
  if (outcome == Outcome::kDirectResponse) line("body", direct_body.empty() ? "(empty)" : direct_body);
  for (const auto& d : destinations) {
    line("destination", fmt::format("{}{}:{} weight {} ({:.1f}%) -> {} [{}, {} endpoints]", d.host,
                                    d.subset.empty() ? "" : " subset " + d.subset, d.port, d.weight, d.percent,
                                    d.cluster.name, d.cluster.discovery, d.cluster.endpoints.size()));
    if (d.cluster.missing) {
      line("", "missing cluster, 503 NC: " + d.cluster.missing_reason);
    } else {
      line("", policy_text(d.cluster.policy));
      if (!d.cluster.destination_rule.empty()) line("", "DestinationRule " + d.cluster.destination_rule);
    }
  }
  if (!rewrite.empty()) line("rewrite", rewrite + (rewritten_path.empty() ? "" : " => " + rewritten_path));
  line("timeout", dur(timeout));
  line("retries", retry_text(retry));
  line("fault", fault_text(fault));
  for (const auto& m : mirrors) line("mirror", fmt::format("{} {:.1f}% -> {}", m.host, m.percent, m.cluster.name));
  if (has_cors)
    line("cors", fmt::format("methods [{}] origins {} credentials {}", cors.allow_methods, cors.allow_origins.size(),
                             cors.allow_credentials));
  if (!headers.empty())
    line("headers",
         fmt::format("request set {} add {} remove {}; response set {} add {} remove {}", headers.request.set.size(),
                     headers.request.add.size(), headers.request.remove.size(), headers.response.set.size(),
                     headers.response.add.size(), headers.response.remove.size()));
  return s;
}

}  // namespace sy::explain
