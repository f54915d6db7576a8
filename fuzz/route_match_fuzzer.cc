// Fuzz target: request routing over a fixed snapshot (snapshot/router.h and the route/ matchers,
// rewrite and redirect it leads to, plus explain, which the admin API's /explain runs on
// request-supplied values). The snapshot is compiled once from the YAML below, which uses every
// kind of condition (exact/prefix/regex, ignoreUriCase, headers, withoutHeaders, queryParams,
// authority, scheme, method), wildcard hosts, httpsRedirect, rewrites, redirects, a split and a
// direct response; the fuzzer controls the request.
//
// Input: text lines "METHOD\nSCHEME\nAUTHORITY\nPATH\nname: value\n..." (missing lines are empty),
// so seeds are readable. Any bytes are allowed in any field: the router sees what the codec let
// through, and must not trust it.
//
// Checks besides ASan/UBSan: the router's choice is the first entry whose match holds, and
// RequestMatch::first_failure (explain's view) agrees with matches() (the data plane's) on every
// entry, as docs/architecture.md promises.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/loader.h"
#include "explain/explain.h"
#include "route/map_header_source.h"
#include "route/redirect.h"
#include "snapshot/compile.h"
#include "snapshot/router.h"

namespace {

constexpr const char* kConfig = R"yaml(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
  - port: {number: 8080, name: http-alt, protocol: HTTP}
    hosts: ["secure.example.com"]
    tls: {httpsRedirect: true}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: shop, namespace: default}
spec:
  hosts: [shop.internal]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints:
  - {address: 10.0.0.1, labels: {version: v1}}
  - {address: 10.0.0.2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: shop, namespace: default}
spec:
  host: shop.internal
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: default}
spec:
  hosts: ["shop.example.com", "*.shop.example.com", "shop.internal"]
  gateways: [edge, mesh]
  http:
  - name: login
    match: [{uri: {exact: /login}, method: {exact: POST}}]
    route: [{destination: {host: shop.internal, subset: v1}}]
  - name: api
    match:
    - uri: {regex: "/api/v[0-9]+/.*"}
      ignoreUriCase: true
      headers:
        x-user: {prefix: admin}
        x-env: {regex: "dev|stage"}
    rewrite: {uriRegexRewrite: {match: "^/api/v([0-9]+)/(.*)", rewrite: "/v\\1/\\2"}}
    route: [{destination: {host: shop.internal, subset: v2}}]
  - name: debug
    match:
    - queryParams: {debug: {exact: "1"}}
      withoutHeaders: {cookie: {}}
      authority: {prefix: shop}
    redirect: {uri: /debug, redirectCode: 302}
  - name: legacy
    match: [{uri: {prefix: /legacy}}]
    redirect: {prefixRewrite: /modern, scheme: https, derivePort: FROM_REQUEST_PORT}
  - name: static
    match: [{uri: {prefix: /static/}, scheme: {exact: https}}]
    rewrite: {uri: /assets/, authority: cdn.internal}
    route:
    - {destination: {host: shop.internal, subset: v1}, weight: 80}
    - {destination: {host: shop.internal, subset: v2}, weight: 20}
  - name: health
    match: [{uri: {exact: /healthz}}, {uri: {prefix: /ready}, ignoreUriCase: true}]
    directResponse: {status: 200, body: {string: ok}}
  - name: default
    route: [{destination: {host: shop.internal}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: secure, namespace: default}
spec:
  hosts: [secure.example.com]
  gateways: [edge]
  http:
  - route: [{destination: {host: shop.internal}}]
)yaml";

// Compiled on first use; a config that stops loading cleanly (the loader changed) is a harness
// bug, so it fails loudly instead of silently fuzzing an empty snapshot.
const sy::snapshot::Snapshot& snapshot() {
  static const std::shared_ptr<const sy::snapshot::Snapshot> snap = [] {
    sy::config::LoadResult r = sy::config::load_string(kConfig, "route_match_fuzzer.yaml");
    if (r.diagnostics.has_errors()) {
      for (const auto& d : r.diagnostics.items()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
      std::abort();
    }
    auto compiled = sy::snapshot::compile(r.config, sy::snapshot::CompileOptions{});
    // Warnings mean part of the table is not what the YAML says (a dropped rule): show them once.
    for (const auto& d : compiled->diagnostics.items()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    return compiled;
  }();
  return *snap;
}

std::string_view next_line(std::string_view& rest) {
  const std::size_t nl = rest.find('\n');
  const std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  return line;
}

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}

// Routes on one listener, cross-checks the answer, and runs what a worker would do next.
void route_on(const sy::snapshot::Listener& listener, const sy::route::RequestView& view, std::uint64_t random) {
  using Status = sy::snapshot::RouteResult::Status;
  const sy::snapshot::RouteResult res = sy::snapshot::route(listener, view);
  if (res.virtual_host == nullptr) {
    check(res.status == Status::kNoVirtualHost, "no virtual host but status says otherwise");
    return;
  }
  const sy::snapshot::RouteEntry* first = nullptr;
  for (const sy::snapshot::RouteEntry& e : res.virtual_host->routes) {
    const bool m = e.match.matches(view);
    check(m == !e.match.first_failure(view).has_value(), "matches() and first_failure() disagree");
    if (m && first == nullptr) first = &e;
  }
  if (res.status == Status::kHttpsRedirect) {
    check(!sy::route::https_redirect_location(view).empty(), "empty https redirect location");
    return;
  }
  check(res.route == first, "router did not pick the first matching entry");
  if (res.route == nullptr) return;
  const sy::snapshot::RouteAction& a = res.route->action;
  switch (a.kind) {
    case sy::snapshot::RouteAction::Kind::kRedirect:
      (void)a.redirect.location(view);
      break;
    case sy::snapshot::RouteAction::Kind::kDirectResponse:
      break;
    case sy::snapshot::RouteAction::Kind::kForward: {
      (void)a.rewrite.apply(view.path);
      const auto pick = a.split.pick(random);
      check(!pick || *pick < a.destinations.size(), "split picked a destination that does not exist");
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const sy::snapshot::Snapshot& snap = snapshot();
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string method(next_line(rest));
  const std::string scheme(next_line(rest));
  const std::string authority(next_line(rest));
  const std::string path(next_line(rest));
  std::vector<std::pair<std::string, std::string>> headers;
  while (!rest.empty()) {
    const std::string_view line = next_line(rest);
    const std::size_t colon = line.find(':');
    std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  const sy::route::MapHeaderSource header_source(headers);
  const sy::route::RequestView view{method, scheme, authority, path, &header_source};

  // Any 64-bit value is a valid random input for the split; derive it from the input.
  std::uint64_t random = 1469598103934665603ULL;
  for (std::size_t i = 0; i < size; ++i) random = (random ^ data[i]) * 1099511628211ULL;
  for (const auto& l : snap.listeners) route_on(l, view, random);
  for (const auto& l : snap.mesh) route_on(l, view, random);

  // explain, as /explain builds it from a query string (a gateway and the mesh).
  for (const char* gateway : {"default/edge", "mesh"}) {
    sy::explain::ExplainRequest req{gateway, method, scheme + "://" + authority + path, headers};
    const sy::explain::ExplainResult r = sy::explain::explain(snap, req);
    (void)r.to_text();
    (void)r.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return 0;
}
