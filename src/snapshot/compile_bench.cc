// Compile and match cost against 10 / 1,000 / 10,000 VirtualServices, each with its own host,
// ServiceEntry and four routes (header, prefix, exact, catch-all). Matching must stay flat as
// the table grows: host lookup is a hash probe per label, routes are per virtual host.
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include "route/map_header_source.h"
#include "snapshot/compile.h"
#include "snapshot/router.h"

namespace sy::snapshot {
namespace {

using K = config::StringMatch::Kind;

config::ConfigSet make_config(int n) {
  config::ConfigSet c;
  config::Gateway g;
  g.meta = {"gw", "default", {}, {}};
  config::Server s;
  s.port = {80, "HTTP", "http", std::nullopt};
  s.hosts = {"*"};
  g.servers.push_back(s);
  c.gateways.push_back(g);
  for (int i = 0; i < n; ++i) {
    std::string svc = fmt::format("svc-{}", i);
    config::ServiceEntry se;
    se.meta = {svc, "default", {}, {}};
    se.source.index = i;
    se.hosts = {svc + ".default.svc.cluster.local"};
    se.ports = {{8080, "HTTP", "http", std::nullopt}};
    se.resolution = config::ServiceEntry::Resolution::kStatic;
    se.endpoints.push_back({fmt::format("10.{}.{}.1", i / 256 % 256, i % 256), {}, {}, "", "", std::nullopt, ""});
    c.service_entries.push_back(se);

    config::VirtualService vs;
    vs.meta = {svc, "default", {}, {}};
    vs.source.index = i;
    vs.hosts = {fmt::format("{}.example.com", svc)};
    vs.gateways = {"gw"};
    auto add_route = [&](const char* name, auto fill) {
      config::HTTPRoute r;
      r.name = name;
      config::HTTPMatchRequest m;
      if (fill(m)) r.match.push_back(m);
      r.route.push_back({{svc, "", std::nullopt}, std::nullopt, std::nullopt});
      vs.http.push_back(r);
    };
    add_route("canary", [](auto& m) {
      m.headers["x-canary"] = {K::kExact, "1"};
      return true;
    });
    add_route("api", [](auto& m) {
      m.uri = config::StringMatch{K::kPrefix, "/api/"};
      return true;
    });
    add_route("login", [](auto& m) {
      m.uri = config::StringMatch{K::kRegex, "/log(in|out)"};
      return true;
    });
    add_route("default", [](auto&) { return false; });
    c.virtual_services.push_back(vs);
  }
  return c;
}

void BM_Compile(benchmark::State& state) {
  config::ConfigSet c = make_config(static_cast<int>(state.range(0)));
  auto shared = std::make_shared<const config::ConfigSet>(c);
  for (auto _ : state) {
    auto snap = compile(shared, {});
    benchmark::DoNotOptimize(snap.get());
  }
  state.counters["vs"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_Compile)->Arg(10)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// Gateway match: host lookup + 3 route checks (header miss, prefix hit), spread over many hosts.
void BM_RouteGateway(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  auto snap = compile(make_config(n), {});
  const Listener* l = snap->find_listener(80);
  std::vector<std::string> hosts;
  for (int i = 0; i < 1024; ++i) hosts.push_back(fmt::format("SVC-{}.example.com:80", (i * 7919) % n));
  route::MapHeaderSource headers(
      std::vector<std::pair<std::string, std::string>>{{"user-agent", "bench"}, {"accept", "*/*"}});
  size_t i = 0;
  int64_t routed = 0;
  for (auto _ : state) {
    route::RequestView v{"GET", "http", hosts[i++ & 1023], "/api/items?page=2", &headers};
    RouteResult r = route(*l, v);
    routed += r.status == RouteResult::Status::kRouted;
    benchmark::DoNotOptimize(r.route);
  }
  if (routed != state.iterations()) state.SkipWithError("request not routed");
}
BENCHMARK(BM_RouteGateway)->Arg(10)->Arg(1000)->Arg(10000);

// Worst case per host: every route checked, falling to the catch-all after the regex.
void BM_RouteGatewayCatchAll(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  auto snap = compile(make_config(n), {});
  const Listener* l = snap->find_listener(80);
  std::string host = fmt::format("svc-{}.example.com", n / 2);
  route::MapHeaderSource headers(std::vector<std::pair<std::string, std::string>>{{"x-canary", "0"}});
  for (auto _ : state) {
    route::RequestView v{"GET", "http", host, "/static/app.js", &headers};
    RouteResult r = route(*l, v);
    benchmark::DoNotOptimize(r.route);
  }
}
BENCHMARK(BM_RouteGatewayCatchAll)->Arg(10)->Arg(1000)->Arg(10000);

// Mesh match by short name (alias domain) to Istio's default route of a service.
void BM_RouteMesh(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  auto snap = compile(make_config(n), {});
  std::vector<std::string> hosts;
  for (int i = 0; i < 1024; ++i) hosts.push_back(fmt::format("svc-{}", (i * 7919) % n));
  size_t i = 0;
  for (auto _ : state) {
    route::RequestView v{"GET", "http", hosts[i++ & 1023], "/", nullptr};
    RouteResult r = route_mesh(*snap, 8080, v);
    benchmark::DoNotOptimize(r.route);
  }
}
BENCHMARK(BM_RouteMesh)->Arg(10)->Arg(1000)->Arg(10000);

}  // namespace
}  // namespace sy::snapshot
