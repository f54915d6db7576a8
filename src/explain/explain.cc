// explain(): walks listener -> virtual host -> routes exactly as snapshot::route() does, but
// records every step. Formatting lives in explain_format.cc.
#include "explain/explain.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "config/hostname.h"
#include "lb/locality.h"
#include "route/map_header_source.h"
#include "route/redirect.h"

namespace sy::explain {
namespace {

using snapshot::Listener;
using snapshot::Snapshot;

// Splits "scheme://authority/path?q"; no scheme means http, no path means "/". Without a port in
// the URL the scheme's default is set provisionally; pick_listener may infer a better one.
bool parse_url(const std::string& url, ExplainResult& out) {
  std::string_view u = url;
  size_t sep = u.find("://");
  out.scheme = sep == std::string_view::npos ? "http" : config::lower(u.substr(0, sep));
  if (sep != std::string_view::npos) u.remove_prefix(sep + 3);
  size_t slash = u.find_first_of("/?");
  out.authority = std::string(u.substr(0, slash));
  out.path = slash == std::string_view::npos ? "/" : std::string(u.substr(slash));
  if (!out.path.empty() && out.path.front() == '?') out.path = "/" + out.path;
  if (out.authority.empty()) {
    out.reason = fmt::format("URL \"{}\" has no host", url);
    return false;
  }
  if (out.scheme != "http" && out.scheme != "https") {
    out.reason = fmt::format("URL \"{}\": scheme must be http or https", url);
    return false;
  }
  std::optional<uint32_t> port = route::authority_port(out.authority);
  const bool has_colon = out.authority.find(':') != std::string::npos && out.authority.front() != '[';
  if (!port && has_colon) {
    out.reason = fmt::format("URL \"{}\" has a malformed port", url);
    return false;
  }
  out.port_from_url = port.has_value();
  out.port = port.value_or(out.scheme == "https" ? 443 : 80);
  return true;
}

ClusterInfo cluster_info(const Snapshot& snap, uint32_t id) {
  const snapshot::Cluster& c = snap.clusters.at(id);
  ClusterInfo out;
  out.id = c.id;
  out.name = c.name;
  out.discovery = snapshot::discovery_name(c.discovery);
  out.missing = c.missing();
  out.missing_reason = c.missing_reason;
  // Locality LB shows only where it acts: some endpoint ranked below 0, or a distribute rule.
  const bool ranked = std::any_of(c.endpoints.begin(), c.endpoints.end(), [](const snapshot::Endpoint& e) {
    return e.priority > 0 || e.lb_weight != 0 || e.distribute_excluded;
  });
  for (const auto& e : c.endpoints) {
    std::string labels;
    for (const auto& [k, v] : e.labels) labels += fmt::format("{}{}={}", labels.empty() ? "" : ",", k, v);
    // Locality LB (only what applies): where the endpoint ranks and what share distribute gives it.
    std::string locality;
    if (ranked) locality = fmt::format(" locality={} priority={}", e.locality.empty() ? "-" : e.locality, e.priority);
    if (e.distribute_excluded) locality += " distribute=none (never picked)";
    else if (e.lb_weight != 0) locality += fmt::format(" distribute={:.1f}%", e.lb_weight / static_cast<double>(lb::kDistributeScale));
    out.endpoints.push_back(fmt::format("{}:{} weight={}{}{}", e.address, e.port, e.weight, locality,
                                        labels.empty() ? "" : " {" + labels + "}"));
  }
  out.destination_rule = c.destination_rule;
  out.policy = c.policy;
  return out;
}

std::string listener_name(const Listener& l) {
  if (l.mesh) return fmt::format("mesh:{}", l.port);
  return fmt::format("{}:{} {}", l.bind.empty() ? "0.0.0.0" : l.bind, l.port, l.protocol);
}

bool gateway_matches(const std::string& server_gateway, const std::string& wanted) {
  if (wanted.find('/') != std::string::npos) return server_gateway == wanted;
  return server_gateway.substr(server_gateway.find('/') + 1) == wanted;
}

// Mesh mode: the route table of the URL's port; without a port, the one port the host is served
// on (a Kubernetes-style client writes http://reviews/ and means the service's only port).
const Listener* pick_mesh_listener(const Snapshot& snap, ExplainResult& out) {
  if (!out.port_from_url) {
    std::vector<const Listener*> serving;
    for (const Listener& l : snap.mesh)
      if (l.hosts.find(out.authority)) serving.push_back(&l);
    if (serving.size() == 1) {
      out.port = serving.front()->port;
      out.port_note =
          fmt::format("the URL has no port; \"{}\" is served only on mesh port {}", out.authority, out.port);
      return serving.front();
    }
    if (serving.size() > 1) {
      for (const Listener* l : serving)
        if (l->port == out.port) return l;
      std::vector<uint32_t> ports;
      for (const Listener* l : serving) ports.push_back(l->port);
      out.outcome = ExplainResult::Outcome::kBadRequest;
      out.status = 400;
      out.reason = fmt::format("the URL has no port and \"{}\" is served on mesh ports {}: add one, e.g. http://{}:{}/",
                               out.authority, fmt::join(ports, ", "), out.authority, ports.front());
      return nullptr;
    }
  }
  const Listener* l = snap.find_mesh(out.port);
  if (!l) {
    std::vector<uint32_t> ports;
    for (const Listener& m : snap.mesh) ports.push_back(m.port);
    out.reason =
        ports.empty()
            ? fmt::format("no mesh route table for port {} (the config defines no mesh services)", out.port)
            : fmt::format("no mesh route table for port {} (mesh ports: {})", out.port, fmt::join(ports, ", "));
  }
  return l;
}

const Listener* pick_listener(const Snapshot& snap, ExplainResult& out) {
  if (out.gateway == "mesh") return pick_mesh_listener(snap, out);
  std::vector<const Listener*> mine;  // this gateway's listeners, sorted by (port, bind)
  for (const Listener& l : snap.listeners) {
    for (const auto& s : l.servers) {
      if (!gateway_matches(s.gateway, out.gateway)) continue;
      mine.push_back(&l);
      break;
    }
  }
  for (const Listener* l : mine)
    if (l->port == out.port) return l;
  std::vector<uint32_t> ports;
  for (const Listener* l : mine)
    if (ports.empty() || ports.back() != l->port) ports.push_back(l->port);
  if (!out.port_from_url && ports.size() == 1) {
    // A newcomer types http://host/path; the gateway has one port, so that is where it goes.
    out.port = ports.front();
    out.port_note = fmt::format("the URL has no port; gateway \"{}\" listens only on {}", out.gateway, out.port);
    return mine.front();
  }
  if (ports.empty())
    out.reason = fmt::format(
        "gateway \"{}\" has no HTTP listener in this snapshot (unknown, not selected by this proxy's labels, or no "
        "HTTP servers)",
        out.gateway);
  else
    out.reason = fmt::format("gateway \"{}\" has no listener on port {} (it listens on {}{})", out.gateway, out.port,
                             fmt::join(ports, ", "), out.port_from_url ? "" : "; add the port to the URL");
  return nullptr;
}

// Line of the route (spec.http[N], or its match block) in the VirtualService's file; 0 if unknown.
int route_line(const Snapshot& snap, uint32_t vs, uint32_t http_index, std::optional<uint32_t> match_index) {
  if (vs == snapshot::kNoVirtualService || !snap.config) return 0;
  const auto& info = snap.virtual_services.at(vs);
  for (const config::VirtualService& v : snap.config->virtual_services) {
    if (v.source.index != info.load_index) continue;
    std::string path = fmt::format("spec.http[{}]", http_index);
    if (match_index) path += fmt::format(".match[{}]", *match_index);
    return v.source.line_of(path);
  }
  return 0;
}

// The delegate rule an entry comes from, "ns/name http[J] (file:line)"; empty for a root's own rule.
std::string delegate_of(const Snapshot& snap, const snapshot::RouteEntry& e) {
  if (e.delegate == snapshot::kNoVirtualService) return "";
  const auto& info = snap.virtual_services.at(e.delegate);
  int line = route_line(snap, e.delegate, e.delegate_http_index, std::nullopt);
  return fmt::format("{}/{} http[{}] ({}:{})", info.namespace_, info.name, e.delegate_http_index, info.file,
                     line ? line : info.line);
}

void fill_action(const Snapshot& snap, const snapshot::RouteEntry& e, const route::RequestView& v, ExplainResult& out) {
  const snapshot::RouteAction& a = e.action;
  switch (a.kind) {
    case snapshot::RouteAction::Kind::kForward:
      out.outcome = ExplainResult::Outcome::kRouted;
      out.status = 200;
      break;
    case snapshot::RouteAction::Kind::kRedirect:
      out.outcome = ExplainResult::Outcome::kRedirect;
      out.status = a.redirect.status();
      out.location = a.redirect.location(v);
      break;
    case snapshot::RouteAction::Kind::kDirectResponse:
      out.outcome = ExplainResult::Outcome::kDirectResponse;
      out.status = a.direct_response.status;
      out.direct_body = a.direct_response.body;
      break;
  }
  for (uint32_t i = 0; i < a.destinations.size(); ++i) {
    const auto& d = a.destinations[i];
    out.destinations.push_back(
        {d.host, d.destination.subset, d.port, a.split.weight(i), a.split.percent(i), cluster_info(snap, d.cluster)});
  }
  out.rewrite = a.rewrite.describe();
  if (auto p = a.rewrite.apply(v.path)) out.rewritten_path = *p;
  out.timeout = a.timeout;
  out.retry = a.retry;
  out.fault = a.fault;
  for (const auto& m : a.mirrors)
    out.mirrors.push_back({m.host, m.destination.subset, m.percent.percent(), cluster_info(snap, m.cluster)});
  out.has_cors = a.has_cors;
  out.cors = a.cors;
  out.headers = a.headers;
}

}  // namespace

const char* outcome_name(ExplainResult::Outcome o) {
  switch (o) {
    case ExplainResult::Outcome::kRouted:
      return "routed";
    case ExplainResult::Outcome::kRedirect:
      return "redirect";
    case ExplainResult::Outcome::kDirectResponse:
      return "direct_response";
    case ExplainResult::Outcome::kHttpsRedirect:
      return "https_redirect";
    case ExplainResult::Outcome::kNotFound:
      return "not_found";
    case ExplainResult::Outcome::kBadRequest:
      return "bad_request";
  }
  return "?";
}

ExplainResult explain(const Snapshot& snap, const ExplainRequest& req) {
  ExplainResult out;
  out.gateway = req.gateway.empty() ? "mesh" : req.gateway;
  out.method = req.method;
  out.snapshot_version = snap.version;
  if (!parse_url(req.url, out)) {
    out.outcome = ExplainResult::Outcome::kBadRequest;
    out.status = 400;
    return out;
  }
  const Listener* l = pick_listener(snap, out);
  if (!l) return out;
  out.listener_found = true;
  out.listener = listener_name(*l);
  for (const auto& s : l->servers)
    out.servers.push_back(fmt::format("{} servers[{}] {} {} hosts=[{}]{} ({}:{})", s.gateway, s.server_index,
                                      s.port_name, s.protocol, fmt::join(s.hosts, ", "),
                                      s.https_redirect ? " httpsRedirect" : "", s.file, s.line));

  route::MapHeaderSource headers(req.headers);
  route::RequestView v{out.method, out.scheme, out.authority, out.path, &headers, l->port};
  std::optional<uint32_t> vh_index = l->hosts.find(v.authority);
  if (!vh_index) {
    out.reason =
        fmt::format("no virtual host for \"{}\" on {} (404 NR)", config::strip_port(out.authority), out.listener);
    return out;
  }
  const snapshot::VirtualHost& vh = l->virtual_hosts[*vh_index];
  out.virtual_host = vh.name;
  out.domains = vh.domains;
  for (uint32_t vi : vh.virtual_services) {
    const auto& info = snap.virtual_services.at(vi);
    out.virtual_services.push_back(fmt::format("{}/{} ({}:{})", info.namespace_, info.name, info.file, info.line));
  }
  out.dropped_rules = vh.dropped;
  if (vh.https_redirect && v.scheme != "https") {
    out.outcome = ExplainResult::Outcome::kHttpsRedirect;
    out.status = 301;
    out.location = route::https_redirect_location(v);
    out.reason = "the Gateway server sets tls.httpsRedirect";
    return out;
  }
  auto vs_name = [&](const snapshot::RouteEntry& e) {
    if (e.virtual_service == snapshot::kNoVirtualService) return std::string("(default route)");
    const auto& info = snap.virtual_services.at(e.virtual_service);
    return info.namespace_ + "/" + info.name;
  };
  for (uint32_t i = 0; i < vh.routes.size(); ++i) {
    const snapshot::RouteEntry& e = vh.routes[i];
    if (auto failure = e.match.first_failure(v)) {
      // A route that can fail has a match block; line_of falls back to spec.http[N] otherwise.
      out.not_matched.push_back({i, e.name, vs_name(e), e.http_index, e.match_index,
                                 route_line(snap, e.virtual_service, e.http_index, e.match_index), e.match.describe(),
                                 *failure, delegate_of(snap, e)});
      continue;
    }
    out.matched = true;
    out.route_index = i;
    out.route_name = e.name;
    out.virtual_service = vs_name(e);
    if (e.virtual_service != snapshot::kNoVirtualService) {
      out.virtual_service_file = snap.virtual_services[e.virtual_service].file;
      out.virtual_service_line = snap.virtual_services[e.virtual_service].line;
      out.route_line = route_line(snap, e.virtual_service, e.http_index, std::nullopt);
      if (out.route_line == 0) out.route_line = out.virtual_service_line;
    }
    out.http_index = e.http_index;
    out.match_index = e.match_index;
    out.delegate = delegate_of(snap, e);
    out.conditions = e.match.describe();
    fill_action(snap, e, v, out);
    return out;
  }
  if (vh.routes.empty()) {
    out.reason = fmt::format("virtual host \"{}\" has no routes (404 NR)", vh.name);
    return out;
  }
  // The 404's reason names each route's first failing condition, so it stands on its own in logs.
  std::vector<std::string> why;
  for (const RouteCheck& c : out.not_matched)
    why.push_back(fmt::format("#{} {} http[{}] match[{}]: {}", c.index, c.virtual_service, c.http_index, c.match_index,
                              c.failure));
  out.reason = fmt::format("no route of virtual host \"{}\" matched (404 NR): {}", vh.name, fmt::join(why, "; "));
  return out;
}

}  // namespace sy::explain
