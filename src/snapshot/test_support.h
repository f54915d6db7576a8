// Test helpers shared by snapshot/ and explain/ tests: compile inline YAML and route a request.
// Test-only (included from *_test.cc files).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "config/loader.h"
#include "route/map_header_source.h"
#include "snapshot/compile.h"
#include "snapshot/router.h"

namespace sy::snapshot::testing {

inline std::shared_ptr<const Snapshot> compile_yaml(const std::string& yaml, CompileOptions opts = {}) {
  config::LoadResult r = config::load_string(yaml, "test.yaml");
  std::string report;
  for (const auto& d : r.diagnostics.items()) report += d.to_string() + "\n";
  EXPECT_FALSE(r.diagnostics.has_errors()) << report;
  return compile(r.config, opts);
}

struct Request {
  std::string authority;
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> headers = {};
  std::string method = "GET";
  std::string scheme = "http";
};

// "<route name> -> <cluster>" for a forward, "redirect <location>", "direct <status>", or the
// reason: "no virtual host" / "no route" / "https redirect".
inline std::string describe_route(const Snapshot& snap, const Listener* l, const Request& r) {
  if (!l) return "no listener";
  route::MapHeaderSource h(r.headers);
  route::RequestView v{r.method, r.scheme, r.authority, r.path, &h};
  RouteResult res = route(*l, v);
  switch (res.status) {
    case RouteResult::Status::kNoVirtualHost:
      return "no virtual host";
    case RouteResult::Status::kNoRoute:
      return "no route";
    case RouteResult::Status::kHttpsRedirect:
      return "https redirect";
    case RouteResult::Status::kRouted:
      break;
  }
  const RouteAction& a = res.route->action;
  if (a.kind == RouteAction::Kind::kRedirect) return "redirect " + a.redirect.location(v);
  if (a.kind == RouteAction::Kind::kDirectResponse) return "direct " + std::to_string(a.direct_response.status);
  std::string out = res.route->name + " ->";
  for (const auto& d : a.destinations) out += " " + snap.clusters[d.cluster].name;
  return out;
}

inline std::string gw(const Snapshot& snap, uint32_t port, const Request& r) {
  return describe_route(snap, snap.find_listener(port), r);
}
inline std::string mesh(const Snapshot& snap, uint32_t port, const Request& r) {
  return describe_route(snap, snap.find_mesh(port), r);
}

}  // namespace sy::snapshot::testing
