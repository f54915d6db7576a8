#include "policy/route_policies.h"

#include <fmt/format.h>

#include "config/hostname.h"

namespace sy::policy {

FaultPolicy compile_fault(const config::HTTPFaultInjection& f) {
  FaultPolicy out;
  if (f.delay && f.delay->fixed_delay) {
    out.has_delay = true;
    out.delay = *f.delay->fixed_delay;
    if (f.delay->percentage) out.delay_percent = split::FractionalPercent::from_percent(f.delay->percentage->value);
    else if (f.delay->percent) out.delay_percent = split::FractionalPercent::from_percent(*f.delay->percent);
  }
  if (f.abort && (f.abort->http_status || !f.abort->grpc_status.empty())) {
    out.has_abort = true;
    out.abort_http_status = f.abort->http_status ? static_cast<uint32_t>(*f.abort->http_status) : 0;
    out.abort_grpc_status = f.abort->grpc_status;
    if (f.abort->percentage) out.abort_percent = split::FractionalPercent::from_percent(f.abort->percentage->value);
  }
  return out;
}

std::vector<MirrorPolicy> compile_mirrors(const config::HTTPRoute& r, std::string_view vs_namespace) {
  std::vector<MirrorPolicy> out;
  auto add = [&](const config::Destination& d, double percent) {
    MirrorPolicy m;
    m.destination = d;
    m.host = config::resolve_short_name(d.host, vs_namespace);
    m.percent = split::FractionalPercent::from_percent(percent);
    out.push_back(std::move(m));
  };
  if (r.mirror) {
    double pct = 100;
    if (r.mirror_percentage) pct = r.mirror_percentage->value;
    else if (r.mirror_percent) pct = *r.mirror_percent;
    add(*r.mirror, pct);
  }
  for (const auto& m : r.mirrors) add(m.destination, m.percentage ? m.percentage->value : 100.0);
  return out;
}

bool CorsPolicy::origin_allowed(std::string_view origin) const {
  for (const auto& m : allow_origins)
    if (m.matches(origin)) return true;
  return false;
}

CorsPolicy compile_cors(const config::CorsPolicy& c) {
  CorsPolicy out;
  for (const auto& o : c.allow_origins) out.allow_origins.push_back(route::StringMatcher::compile(o));
  for (const auto& o : c.allow_origin) {
    if (o == "*") out.allow_origins.push_back(route::StringMatcher::presence());
    else out.allow_origins.push_back(route::StringMatcher::exact(o));
  }
  out.allow_methods = fmt::format("{}", fmt::join(c.allow_methods, ","));
  out.allow_headers = fmt::format("{}", fmt::join(c.allow_headers, ","));
  out.expose_headers = fmt::format("{}", fmt::join(c.expose_headers, ","));
  if (c.max_age) out.max_age = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(*c.max_age).count());
  out.allow_credentials = c.allow_credentials.value_or(false);
  out.forward_unmatched_preflights = c.unmatched_preflights != config::CorsPolicy::UnmatchedPreflights::kIgnore;
  return out;
}

namespace {

HeaderOps compile_ops(const config::HeaderOperations& h) {
  HeaderOps out;
  for (const auto& [k, v] : h.set) out.set.emplace_back(config::lower(k), v);
  for (const auto& [k, v] : h.add) out.add.emplace_back(config::lower(k), v);
  for (const auto& k : h.remove) out.remove.push_back(config::lower(k));
  return out;
}

}  // namespace

HeaderPolicy compile_headers(const config::Headers& h) {
  HeaderPolicy out;
  if (h.request) out.request = compile_ops(*h.request);
  if (h.response) out.response = compile_ops(*h.response);
  return out;
}

}  // namespace sy::policy
