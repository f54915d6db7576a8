// VirtualService checks: hosts, gateways, the three rule lists, destinations and weights.
// HTTPRoute internals live in validate_http_route.cc.
#include <fmt/format.h>

#include <algorithm>

#include "config/hostname.h"
#include "config/validate.h"
#include "config/validate_http_route.h"
#include "config/validate_wire.h"

namespace sy::config {
namespace detail {

void check_destination(Reporter& r, const std::string& path, const Destination& d) {
  const std::string hpath = keyed(path, "host");
  if (d.host.empty()) r.error(hpath, "destination.host is required");
  else if (d.host == "*") r.error(hpath, "invalid destination host *");
  else if (auto p = wildcard_domain_problem(d.host); p && !is_ip_address(d.host)) r.error(hpath, *p);
  if (!d.subset.empty() && !is_dns1123_label(d.subset))
    r.error(keyed(path, "subset"), fmt::format("subset name is invalid: {}", d.subset));
  if (d.port) check_port_number(r, keyed(path, "port.number"), d.port->number);
}

void check_weights(Reporter& r, const std::string& path, const std::vector<std::optional<int32_t>>& weights) {
  int64_t total = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    int32_t w = weights[i].value_or(0);
    if (w < 0) r.error(keyed(indexed(path, i), "weight"), fmt::format("weight {} < 0", w));
    total += w;
  }
  if (weights.size() > 1 && total == 0) r.error(path, "total destination weight = 0");
}

void check_header_operations(Reporter& r, const std::string& path, const Headers& h) {
  auto check_ops = [&](const std::string& opath, const HeaderOperations& ops, bool request) {
    for (const auto* map : {&ops.set, &ops.add}) {
      const std::string mpath = keyed(opath, map == &ops.set ? "set" : "add");
      for (const auto& [name, value] : *map) {
        const std::string hpath = keyed(mpath, name);
        if (name.empty()) {
          r.error(mpath, "header name cannot be empty");
        } else if (name.starts_with(":")) {
          bool authority = lower(name) == ":authority";
          if (!(request && authority && map == &ops.set))
            r.error(hpath, fmt::format("pseudo-header \"{}\" cannot be modified", printable(name)));
        } else {
          check_header_name(r, hpath, name, "header name");
        }
        check_field_value(r, hpath, value, fmt::format("value of header \"{}\"", printable(name)));
      }
    }
    for (size_t i = 0; i < ops.remove.size(); ++i) {
      const std::string rpath = indexed(keyed(opath, "remove"), i);
      std::string n = lower(ops.remove[i]);
      if (n.empty()) r.error(rpath, "header name cannot be empty");
      else if (n.starts_with(":") || (request && n == "host"))
        r.error(rpath, fmt::format("header \"{}\" cannot be removed", printable(ops.remove[i])));
      else check_header_name(r, rpath, ops.remove[i], "header name");
    }
  };
  if (h.request) check_ops(keyed(path, "request"), *h.request, true);
  if (h.response) check_ops(keyed(path, "response"), *h.response, false);
}

void check_gateway_ref(Reporter& r, const std::string& path, const std::string& ref) {
  if (ref == "mesh") return;
  size_t slash = ref.find('/');
  if (slash == std::string::npos) {
    if (ref.find('.') != std::string::npos) {
      r.warning(path, fmt::format("gateway reference \"{}\" uses the deprecated FQDN form; use namespace/name", ref));
      return;
    }
    if (!is_dns1123_label(ref)) r.error(path, fmt::format("invalid gateway name \"{}\"", ref));
    return;
  }
  std::string ns = ref.substr(0, slash);
  std::string name = ref.substr(slash + 1);
  if (!is_dns1123_label(ns))
    r.error(path, fmt::format("invalid namespace \"{}\" in gateway reference \"{}\"", ns, ref));
  if (name.empty() || fqdn_problem(name))
    r.error(path, fmt::format("invalid gateway name \"{}\" in gateway reference \"{}\"", name, ref));
}

}  // namespace detail

namespace {

using detail::indexed;
using detail::keyed;
using detail::Reporter;

bool binds_mesh(const VirtualService& vs) {
  return vs.gateways.empty() || std::find(vs.gateways.begin(), vs.gateways.end(), "mesh") != vs.gateways.end();
}

void check_hosts(Reporter& r, const VirtualService& vs) {
  bool mesh = binds_mesh(vs);
  bool all_valid = true;
  for (size_t i = 0; i < vs.hosts.size(); ++i) {
    const std::string& h = vs.hosts[i];
    const std::string path = indexed("spec.hosts", i);
    if (h == "*" && mesh) {
      r.error(path, "wildcard host * is not allowed for virtual services bound to the mesh gateway");
      all_valid = false;
    } else if (auto p = detail::wildcard_domain_problem(h); p && !is_ip_address(h)) {
      r.error(path, *p);
      all_valid = false;
    }
  }
  if (!all_valid) return;
  for (size_t i = 0; i < vs.hosts.size(); ++i) {
    std::string a = resolve_short_name(vs.hosts[i], vs.meta.namespace_);
    for (size_t j = i + 1; j < vs.hosts.size(); ++j) {
      std::string b = resolve_short_name(vs.hosts[j], vs.meta.namespace_);
      if (hosts_intersect(a, b))
        r.error(indexed("spec.hosts", j),
                fmt::format("duplicate hosts in virtual service: {} & {}", vs.hosts[i], vs.hosts[j]));
    }
  }
}

bool sni_within_hosts(const std::string& sni, const VirtualService& vs) {
  std::string s = resolve_short_name(sni, vs.meta.namespace_);
  for (const auto& h : vs.hosts)
    if (hosts_intersect(resolve_short_name(h, vs.meta.namespace_), s)) return true;
  return false;
}

void check_tls_route(Reporter& r, const std::string& path, const TLSRoute& t, const VirtualService& vs) {
  if (t.match.empty()) r.error(keyed(path, "match"), "TLS route must have at least one match condition");
  for (size_t i = 0; i < t.match.size(); ++i) {
    const TLSMatchAttributes& m = t.match[i];
    const std::string mpath = indexed(keyed(path, "match"), i);
    if (m.sni_hosts.empty()) r.error(keyed(mpath, "sniHosts"), "TLS match must have at least one SNI host");
    for (size_t s = 0; s < m.sni_hosts.size(); ++s) {
      const std::string spath = indexed(keyed(mpath, "sniHosts"), s);
      if (auto p = detail::wildcard_domain_problem(m.sni_hosts[s])) r.error(spath, *p);
      else if (!vs.hosts.empty() && !sni_within_hosts(m.sni_hosts[s], vs))
        r.error(spath, fmt::format("SNI host \"{}\" is not a compatible subset of any of the virtual service hosts",
                                   m.sni_hosts[s]));
    }
    for (size_t s = 0; s < m.destination_subnets.size(); ++s)
      if (!detail::is_cidr(m.destination_subnets[s]))
        r.error(indexed(keyed(mpath, "destinationSubnets"), s),
                fmt::format("destination subnet \"{}\" is not a valid IP address or CIDR", m.destination_subnets[s]));
    if (m.port) detail::check_port_number(r, keyed(mpath, "port"), *m.port);
    detail::check_labels(r, keyed(mpath, "sourceLabels"), m.source_labels);
    for (size_t g = 0; g < m.gateways.size(); ++g)
      detail::check_gateway_ref(r, indexed(keyed(mpath, "gateways"), g), m.gateways[g]);
  }
}

void check_tcp_match(Reporter& r, const std::string& mpath, const L4MatchAttributes& m) {
  for (size_t s = 0; s < m.destination_subnets.size(); ++s)
    if (!detail::is_cidr(m.destination_subnets[s]))
      r.error(indexed(keyed(mpath, "destinationSubnets"), s),
              fmt::format("destination subnet \"{}\" is not a valid IP address or CIDR", m.destination_subnets[s]));
  if (!m.source_subnet.empty() && !detail::is_cidr(m.source_subnet))
    r.error(keyed(mpath, "sourceSubnet"), fmt::format("source subnet \"{}\" is not a valid CIDR", m.source_subnet));
  if (m.port) detail::check_port_number(r, keyed(mpath, "port"), *m.port);
  detail::check_labels(r, keyed(mpath, "sourceLabels"), m.source_labels);
  for (size_t g = 0; g < m.gateways.size(); ++g)
    detail::check_gateway_ref(r, indexed(keyed(mpath, "gateways"), g), m.gateways[g]);
}

void check_route_destinations(Reporter& r, const std::string& path, const std::vector<RouteDestination>& route,
                              const char* kind) {
  if (route.empty()) r.error(path, fmt::format("{} route is required", kind));
  std::vector<std::optional<int32_t>> weights;
  for (size_t i = 0; i < route.size(); ++i) {
    detail::check_destination(r, keyed(indexed(path, i), "destination"), route[i].destination);
    weights.push_back(route[i].weight);
  }
  detail::check_weights(r, path, weights);
}

}  // namespace

void validate_virtual_service(const VirtualService& vs, Diagnostics& out) {
  Reporter r(out, "VirtualService", vs.meta, vs.source);
  bool delegate = vs.hosts.empty();
  if (delegate) {
    if (!vs.gateways.empty())
      r.error("spec.hosts",
              "virtual service must have at least one host (a delegate virtual service has no hosts "
              "and no gateways)");
    if (!vs.tls.empty()) r.error("spec.tls", "delegate virtual service must not have tls route");
    if (!vs.tcp.empty()) r.error("spec.tcp", "delegate virtual service must not have tcp route");
  }
  check_hosts(r, vs);
  for (size_t i = 0; i < vs.gateways.size(); ++i)
    detail::check_gateway_ref(r, indexed("spec.gateways", i), vs.gateways[i]);
  detail::check_export_to(r, "spec.exportTo", vs.export_to, false);

  if (vs.http.empty() && vs.tls.empty() && vs.tcp.empty())
    r.error("spec", "http, tcp or tls must be provided in virtual service");
  for (size_t i = 0; i < vs.http.size(); ++i)
    detail::check_http_route(r, indexed("spec.http", i), vs.http[i], delegate);
  for (size_t i = 0; i < vs.tls.size(); ++i) {
    const std::string path = indexed("spec.tls", i);
    check_tls_route(r, path, vs.tls[i], vs);
    check_route_destinations(r, keyed(path, "route"), vs.tls[i].route, "TLS");
  }
  for (size_t i = 0; i < vs.tcp.size(); ++i) {
    const std::string path = indexed("spec.tcp", i);
    for (size_t m = 0; m < vs.tcp[i].match.size(); ++m)
      check_tcp_match(r, indexed(keyed(path, "match"), m), vs.tcp[i].match[m]);
    check_route_destinations(r, keyed(path, "route"), vs.tcp[i].route, "TCP");
  }
}

}  // namespace sy::config
