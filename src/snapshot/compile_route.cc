// HTTPRoute -> RouteEntries: one entry per applicable match block, with the action compiled
// once per route and specialised per block (rewrite/redirect depend on the matched uri).
#include <fmt/format.h>

#include <algorithm>

#include "config/hostname.h"
#include "snapshot/compile_context.h"

namespace sy::snapshot::detail {
namespace {

std::string object_of(const config::VirtualService& vs) { return vs.meta.namespace_ + "/" + vs.meta.name; }

// Where a rule is written, for warnings and short names: the VirtualService's own rule, or for a
// merged delegate rule the delegate's (its destinations resolve in the delegate's namespace).
struct RuleSite {
  const config::VirtualService* vs = nullptr;
  std::string object;  // "ns/name"
  std::string path;    // "spec.http[N]"
  std::string label;   // how `dropped` names the rule
};

RuleSite site_of(const CompileContext& ctx, const config::VirtualService& root, const EffectiveRule& er) {
  const config::HTTPRoute& r = *er.rule;
  const std::string named = r.name.empty() ? "" : " (" + r.name + ")";
  if (er.delegate == kNoVirtualService)
    return {&root, object_of(root), fmt::format("spec.http[{}]", er.http_index),
            fmt::format("{} http[{}]{}", object_of(root), er.http_index, named)};
  const config::VirtualService& del = *ctx.virtual_services[er.delegate];
  return {&del, object_of(del), fmt::format("spec.http[{}]", er.delegate_http_index),
          fmt::format("{} http[{}] via delegate {} http[{}]{}", object_of(root), er.http_index, object_of(del),
                      er.delegate_http_index, named)};
}

RouteAction compile_action(CompileContext& ctx, const RuleSite& site, const config::HTTPRoute& r,
                           uint32_t context_port) {
  const config::VirtualService& vs = *site.vs;
  const std::string& path = site.path;
  const std::string& ns = vs.meta.namespace_;
  RouteAction a;
  if (r.redirect) {
    a.kind = RouteAction::Kind::kRedirect;
  } else if (r.direct_response) {
    a.kind = RouteAction::Kind::kDirectResponse;
    a.direct_response.status = r.direct_response->status;
    if (const auto& b = r.direct_response->body)
      a.direct_response.body = b->string ? *b->string : b->bytes.value_or("");
  } else {
    std::vector<std::optional<int32_t>> weights;
    for (size_t i = 0; i < r.route.size(); ++i) {
      const config::HTTPRouteDestination& d = r.route[i];
      RouteDestination rd;
      rd.destination = d.destination;
      rd.host = config::resolve_short_name(d.destination.host, ns);
      rd.cluster = ctx.resolve_cluster(rd.host, d.destination.port, d.destination.subset, context_port, &rd.port);
      if (const Cluster& c = ctx.snap.clusters[rd.cluster]; c.missing())
        ctx.warn("VirtualService", site.object, vs.source, fmt::format("{}.route[{}].destination", path, i),
                 fmt::format("{} (requests get 503 NC)", c.missing_reason));
      if (d.headers) rd.headers = policy::compile_headers(*d.headers);
      a.destinations.push_back(std::move(rd));
      weights.push_back(d.weight);
    }
    a.split = split::WeightedChoice::build(weights);
  }
  a.timeout = r.timeout.value_or(Duration{0});
  a.retry = policy::effective_retry_policy(r.retries);
  for (const auto& tok : a.retry.retry_on.unknown)
    ctx.warn("VirtualService", site.object, vs.source, path + ".retries.retryOn",
             fmt::format("\"{}\" is not a valid retryOn policy (ignored)", tok));
  if (r.fault) a.fault = policy::compile_fault(*r.fault);
  a.mirrors = policy::compile_mirrors(r, ns);
  for (auto& m : a.mirrors)
    m.cluster = ctx.resolve_cluster(m.host, m.destination.port, m.destination.subset, context_port);
  if (r.cors_policy) {
    a.has_cors = true;
    a.cors = policy::compile_cors(*r.cors_policy);
  }
  if (r.headers) a.headers = policy::compile_headers(*r.headers);
  return a;
}

bool supported_redirect_code(uint32_t code) {
  return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
}

// Appends the entries of one rule; true when one of them matches every request.
bool append_rule(CompileContext& ctx, uint32_t vs_index, const EffectiveRule& er, const RuleSite& site,
                 const route::BuildScope& scope, uint32_t context_port, VirtualHost& out) {
  const config::HTTPRoute& r = *er.rule;
  if (r.redirect && !supported_redirect_code(r.redirect->redirect_code.value_or(301))) {
    out.dropped.push_back(site.label + ": redirect code not supported (Istio emits no route)");
    return false;
  }
  RouteAction base = compile_action(ctx, site, r, context_port);

  auto emit = [&](route::RequestMatch m, uint32_t j, const std::string& match_name) {
    RouteEntry e;
    e.virtual_service = vs_index;
    e.http_index = er.http_index;
    e.match_index = j;
    if (er.delegate != kNoVirtualService) {
      e.delegate = er.delegate;
      e.delegate_http_index = er.delegate_http_index;
    }
    e.name = r.name.empty() ? match_name : (match_name.empty() ? r.name : r.name + "." + match_name);
    e.catch_all = m.is_catch_all();
    e.action = base;
    std::string err;
    if (r.rewrite) e.action.rewrite = route::PathRewrite::compile(*r.rewrite, m, &err);
    if (!err.empty()) ctx.warn("VirtualService", site.object, site.vs->source, site.path + ".rewrite", err);
    if (r.redirect) e.action.redirect = route::Redirect::compile(*r.redirect, m);
    e.match = std::move(m);
    out.routes.push_back(std::move(e));
    return out.routes.back().catch_all;
  };

  if (r.match.empty()) return emit(route::RequestMatch::match_all(), 0, "");
  for (size_t j = 0; j < r.match.size(); ++j) {
    const config::HTTPMatchRequest& m = r.match[j];
    if (auto why = route::build_time_exclusion(m, site.vs->meta.namespace_, scope)) {
      out.dropped.push_back(fmt::format("{} match[{}]: {}", site.label, j, *why));
      continue;
    }
    std::vector<std::string> errors;
    route::RequestMatch compiled = route::RequestMatch::compile(m, &errors);
    for (const auto& e : errors)
      ctx.warn("VirtualService", site.object, site.vs->source, fmt::format("{}.match[{}]", site.path, j), e);
    if (emit(std::move(compiled), static_cast<uint32_t>(j), m.name)) return true;
  }
  return false;
}

}  // namespace

void append_vs_routes(CompileContext& ctx, uint32_t vs_index, const route::BuildScope& scope, uint32_t context_port,
                      VirtualHost& out) {
  const config::VirtualService& vs = *ctx.virtual_services[vs_index];
  const ExpandedRules& expanded = expanded_rules(ctx, vs_index);
  out.dropped.insert(out.dropped.end(), expanded.dropped.begin(), expanded.dropped.end());
  bool after_catch_all = false;
  for (const EffectiveRule& er : expanded.rules) {
    RuleSite site = site_of(ctx, vs, er);
    if (after_catch_all) {
      out.dropped.push_back(site.label + ": unreachable, an earlier rule of this VirtualService matches every request");
      continue;
    }
    after_catch_all = append_rule(ctx, vs_index, er, site, scope, context_port, out);
  }
}

void move_catch_alls_last(VirtualHost& vh) {
  std::stable_partition(vh.routes.begin(), vh.routes.end(), [](const RouteEntry& e) { return !e.catch_all; });
}

}  // namespace sy::snapshot::detail
