#include "snapshot/compile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "snapshot/test_support.h"

namespace sy::snapshot {
namespace {

using testing::compile_yaml;
using testing::gw;
using testing::mesh;
using testing::Request;

// Shared registry: productpage/reviews services with endpoints, and a gateway on port 80.
const char* kBase = R"(
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: bookinfo-gateway, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: {name: productpage, namespace: default}
spec:
  hosts: [productpage.default.svc.cluster.local]
  ports: [{number: 9080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.1}]
---
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews.default.svc.cluster.local]
  ports: [{number: 9080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints:
  - {address: 10.0.1.1, labels: {version: v1}}
  - {address: 10.0.1.2, labels: {version: v2}, weight: 0}
  - {address: 10.0.1.3, labels: {version: v3}, ports: {http: 19080}, weight: 5}
---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      connectionPool: {tcp: {connectTimeout: 3s}}
)";

const std::string kBookinfoVs = R"(
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: bookinfo, namespace: default}
spec:
  hosts: ["*"]
  gateways: [bookinfo-gateway]
  http:
  - name: pages
    match:
    - uri: {exact: /productpage}
    - uri: {prefix: /static}
    route:
    - destination: {host: productpage, port: {number: 9080}}
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - name: jason
    match:
    - headers: {end-user: {exact: jason}}
    route:
    - destination: {host: reviews, subset: v2}
  - name: split
    route:
    - destination: {host: reviews, subset: v1}
      weight: 75
    - destination: {host: reviews, subset: v3}
      weight: 25
)";

// Scenario: the Bookinfo gateway routes by uri, OR across match blocks, 404 otherwise.
TEST(Compile, GatewayRoutesByUri) {
  auto snap = compile_yaml(std::string(kBase) + kBookinfoVs);
  ASSERT_EQ(snap->listeners.size(), 1u);
  EXPECT_EQ(snap->listeners[0].port, 80u);
  struct Case {
    Request req;
    const char* want;
  } cases[] = {
      {{"bookinfo.io", "/productpage"}, "pages -> outbound|9080||productpage.default.svc.cluster.local"},
      {{"any.host:80", "/static/app.css"}, "pages -> outbound|9080||productpage.default.svc.cluster.local"},
      {{"bookinfo.io", "/productpage/x"}, "no route"},
      {{"bookinfo.io", "/login"}, "no route"},
  };
  for (const auto& c : cases) EXPECT_EQ(gw(*snap, 80, c.req), c.want) << c.req.path;
  EXPECT_EQ(snap->find_listener(8080), nullptr);
}

// Scenario: a VS without `gateways` binds to the mesh only; first matching route wins there;
// short request hosts resolve in the proxy's namespace.
TEST(Compile, MeshBindingAndShortNames) {
  auto snap = compile_yaml(std::string(kBase) + kBookinfoVs);
  const char* v2 = "jason -> outbound|9080|v2|reviews.default.svc.cluster.local";
  const char* split =
      "split -> outbound|9080|v1|reviews.default.svc.cluster.local outbound|9080||reviews.default.svc.cluster.local";
  (void)split;
  EXPECT_EQ(gw(*snap, 80, {"reviews", "/"}), "no route");  // only bookinfo is on the gateway
  EXPECT_EQ(mesh(*snap, 9080, {"reviews", "/", {{"end-user", "jason"}}}), v2);
  EXPECT_EQ(mesh(*snap, 9080, {"reviews.default:9080", "/", {{"end-user", "jason"}}}), v2);
  EXPECT_EQ(mesh(*snap, 9080, {"reviews.default.svc.cluster.local", "/", {{"end-user", "jason"}}}), v2);
  EXPECT_EQ(mesh(*snap, 9080, {"REVIEWS.default.svc", "/"}).substr(0, 5), "split");
  // A known service without a VirtualService gets Istio's default route.
  EXPECT_EQ(mesh(*snap, 9080, {"productpage", "/anything"}),
            "default -> outbound|9080||productpage.default.svc.cluster.local");
  EXPECT_EQ(mesh(*snap, 9080, {"unknown", "/"}), "no virtual host");
  // From another namespace the bare short name is not a domain.
  CompileOptions other;
  other.proxy_namespace = "other";
  auto snap2 = compile_yaml(std::string(kBase) + kBookinfoVs, other);
  EXPECT_EQ(mesh(*snap2, 9080, {"reviews", "/"}), "no virtual host");
  EXPECT_EQ(mesh(*snap2, 9080, {"reviews.default", "/", {{"end-user", "jason"}}}), v2);
}

// Scenario: weights, subsets, endpoints and the undefined-subset "missing cluster".
TEST(Compile, ClustersEndpointsAndSplit) {
  auto snap = compile_yaml(std::string(kBase) + kBookinfoVs);
  const Listener* l = snap->find_mesh(9080);
  ASSERT_NE(l, nullptr);
  route::RequestView v{"GET", "http", "reviews", "/", nullptr};
  RouteResult r = route(*l, v);
  ASSERT_EQ(r.status, RouteResult::Status::kRouted);
  const RouteAction& a = r.route->action;
  ASSERT_EQ(a.destinations.size(), 2u);
  EXPECT_DOUBLE_EQ(a.split.percent(0), 75);
  EXPECT_DOUBLE_EQ(a.split.percent(1), 25);
  const Cluster& v1 = snap->clusters[a.destinations[0].cluster];
  EXPECT_EQ(v1.name, "outbound|9080|v1|reviews.default.svc.cluster.local");
  ASSERT_EQ(v1.endpoints.size(), 1u);
  EXPECT_EQ(v1.endpoints[0].address, "10.0.1.1");
  EXPECT_EQ(v1.policy.load_balancer.algorithm, policy::LbAlgorithm::kRoundRobin);
  const Cluster& v3 = snap->clusters[a.destinations[1].cluster];
  EXPECT_TRUE(v3.missing());  // subset v3 is not defined by the DR
  EXPECT_NE(v3.missing_reason.find("IST0101"), std::string::npos);

  const Cluster* all = snap->find_cluster("outbound|9080||reviews.default.svc.cluster.local");
  ASSERT_NE(all, nullptr);
  ASSERT_EQ(all->endpoints.size(), 3u);
  EXPECT_EQ(all->endpoints[1].weight, 1u);  // weight 0 => 1
  EXPECT_EQ(all->endpoints[2].weight, 5u);
  EXPECT_EQ(all->endpoints[2].port, 19080u);  // endpoint ports[portName] wins
  EXPECT_EQ(all->endpoints[0].port, 9080u);
  const Cluster* sub2 = snap->find_cluster("outbound|9080|v2|reviews.default.svc.cluster.local");
  ASSERT_NE(sub2, nullptr);
  EXPECT_EQ(sub2->policy.connection_pool.connect_timeout, std::chrono::seconds(3));
  EXPECT_EQ(sub2->policy.load_balancer.algorithm, policy::LbAlgorithm::kRoundRobin);  // DR level kept
  for (uint32_t i = 0; i < snap->clusters.size(); ++i) EXPECT_EQ(snap->clusters[i].id, i);
  EXPECT_FALSE(snap->diagnostics.items().empty());  // the v3 warning
}

// Scenario: exact host beats the longest wildcard, which beats a shorter one and `*`.
TEST(Compile, MostSpecificHostWins) {
  std::string yaml = std::string(kBase) + R"(
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: wild, namespace: default}
spec:
  hosts: ["*.example.com"]
  gateways: [bookinfo-gateway]
  http: [{name: wild, directResponse: {status: 201}}]
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: deeper, namespace: default}
spec:
  hosts: ["*.api.example.com"]
  gateways: [bookinfo-gateway]
  http: [{name: deeper, directResponse: {status: 202}}]
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: exact, namespace: default}
spec:
  hosts: ["api.example.com"]
  gateways: [default/bookinfo-gateway]
  http: [{name: exact, directResponse: {status: 203}}]
)";
  auto snap = compile_yaml(yaml);
  struct Case {
    const char* host;
    const char* want;
  } cases[] = {
      {"api.example.com", "direct 203"}, {"API.EXAMPLE.COM:80", "direct 203"}, {"v1.api.example.com", "direct 202"},
      {"www.example.com", "direct 201"}, {"example.com", "no virtual host"},
  };
  for (const auto& c : cases) EXPECT_EQ(gw(*snap, 80, {c.host, "/"}), c.want) << c.host;
}

// Scenario: several VSs for one host on a gateway merge by file path, then position in file,
// with catch-all routes moved last; rules after a VS's own catch-all are dropped.
TEST(Compile, MergeOrderAcrossFilesCatchAllLast) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(::testing::TempDir()) / "sy_merge_order";
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto write = [&](const char* name, const std::string& body) { std::ofstream(dir / name) << body; };
  auto vs = [](const char* name, const char* rules) {
    return std::string(R"(
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: )") +
           name + R"(, namespace: default}
spec:
  hosts: [shop.example.com]
  gateways: [bookinfo-gateway]
  http:
)" + rules;
  };
  // b.yaml holds "b-first" then "b-second"; a.yaml sorts before it.
  write("b.yaml", vs("b-first", R"(
  - name: b-all
    directResponse: {status: 210}
  - name: b-unreachable
    match: [{uri: {prefix: /never}}]
    directResponse: {status: 299}
)") + vs("b-second", R"(
  - name: b2-api
    match: [{uri: {prefix: /api}}]
    directResponse: {status: 220}
)"));
  write("a.yaml", std::string(kBase) + vs("a-vs", R"(
  - name: a-root
    match: [{uri: {prefix: /}}]
    directResponse: {status: 230}
  - name: a-unreachable
    match: [{uri: {prefix: /x}}]
    directResponse: {status: 298}
)") + vs("a-vs2", R"(
  - name: a2-cart
    match: [{uri: {prefix: /cart}}]
    directResponse: {status: 240}
)"));
  config::LoadResult r = config::load_paths({dir.string()});
  ASSERT_FALSE(r.diagnostics.has_errors());
  auto snap = compile(r.config, {});
  const Listener* l = snap->find_listener(80);
  ASSERT_NE(l, nullptr);
  auto vh = l->hosts.find("shop.example.com");
  ASSERT_TRUE(vh);
  std::vector<std::string> names;
  for (const auto& e : l->virtual_hosts[*vh].routes) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a2-cart", "b2-api", "a-root", "b-all"}));
  EXPECT_EQ(l->virtual_hosts[*vh].dropped.size(), 2u);
  EXPECT_EQ(gw(*snap, 80, {"shop.example.com", "/api/v1"}), "direct 220");
  EXPECT_EQ(gw(*snap, 80, {"shop.example.com", "/cart"}), "direct 240");
  EXPECT_EQ(gw(*snap, 80, {"shop.example.com", "/never"}), "direct 230");
  fs::remove_all(dir);
}

// Scenario: server hosts restrict VS namespaces (`ns/host`, `./host`); gateway selector
// filtering against the proxy's labels; httpsRedirect; match.port at build time.
TEST(Compile, ServerHostNamespacesSelectorsAndRedirect) {
  std::string yaml = R"(
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: gw, namespace: edge}
spec:
  selector: {app: edge}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["./*.edge.io", "team/*"]
    tls: {httpsRedirect: true}
  - port: {number: 8080, name: http-alt, protocol: HTTP}
    hosts: ["*/*"]
---
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: other, namespace: edge}
spec:
  selector: {app: other}
  servers:
  - port: {number: 9000, name: http, protocol: HTTP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: edge-vs, namespace: edge}
spec:
  hosts: [a.edge.io]
  gateways: [gw]
  http:
  - match: [{port: 8080, uri: {prefix: /alt}}]
    directResponse: {status: 208}
  - directResponse: {status: 200}
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: team-vs, namespace: team}
spec:
  hosts: [t.team.io, a.edge.io]
  gateways: [edge/gw]
  http: [{directResponse: {status: 201}}]
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: stranger, namespace: elsewhere}
spec:
  hosts: [s.io]
  gateways: [edge/gw]
  http: [{directResponse: {status: 202}}]
)";
  CompileOptions opts;
  opts.proxy_labels = {{"app", "edge"}, {"pod", "x"}};
  auto snap = compile_yaml(yaml, opts);
  ASSERT_EQ(snap->listeners.size(), 2u);  // 9000 belongs to a gateway this proxy does not run
  EXPECT_EQ(gw(*snap, 80, {"a.edge.io", "/"}), "https redirect");
  EXPECT_EQ(gw(*snap, 80, {"a.edge.io", "/", {}, "GET", "https"}), "direct 200");
  EXPECT_EQ(gw(*snap, 80, {"t.team.io", "/", {}, "GET", "https"}), "direct 201");
  // Namespace "elsewhere" is not allowed on :80, so s.io only meets the server's own redirect host.
  EXPECT_EQ(gw(*snap, 80, {"s.io", "/"}), "https redirect");
  EXPECT_EQ(gw(*snap, 80, {"s.io", "/", {}, "GET", "https"}), "no route");
  EXPECT_EQ(gw(*snap, 8080, {"s.io", "/"}), "direct 202");
  EXPECT_EQ(gw(*snap, 8080, {"a.edge.io", "/alt"}), "direct 208");
  EXPECT_EQ(gw(*snap, 80, {"a.edge.io", "/alt", {}, "GET", "https"}), "direct 200");  // port 8080 block dropped

  auto all = compile_yaml(yaml);  // no proxy labels: every gateway applies
  EXPECT_EQ(all->listeners.size(), 3u);
}

// Scenario: the same config hashes the same; any change changes the hash; version comes from options.
TEST(Compile, VersionAndHash) {
  CompileOptions o;
  o.version = 7;
  auto a = compile_yaml(std::string(kBase) + kBookinfoVs, o);
  auto b = compile_yaml(std::string(kBase) + kBookinfoVs, o);
  std::string changed = std::string(kBase) + kBookinfoVs;
  changed.replace(changed.find("weight: 75"), 10, "weight: 70");
  auto c = compile_yaml(changed, o);
  EXPECT_EQ(a->version, 7u);
  EXPECT_EQ(a->content_hash, b->content_hash);
  EXPECT_NE(a->content_hash, c->content_hash);
  ASSERT_NE(a->config, nullptr);
  EXPECT_EQ(a->config->virtual_services.size(), 2u);
}

}  // namespace
}  // namespace sy::snapshot

namespace sy::snapshot {
namespace {

// Scenario: ServiceEntries whose resolution switchyard builds only partly (NONE, also the default:
// only on redirected mesh connections) or not at all (DYNAMIC_DNS) are said once each at compile
// time instead of silently answering 503 UH.
TEST(Compile, UnbuiltResolutionIsWarned) {
  struct Case {
    const char* resolution;
    const char* host;
    bool warned;
  } cases[] = {
      {"", "api.example.com", true},
      {"resolution: NONE", "api.example.com", true},
      {"resolution: DYNAMIC_DNS", "\"*.example.com\"", true},
      {"resolution: DNS", "api.example.com", false},
  };
  for (const auto& c : cases) {
    const std::string yaml = std::string(R"(apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: default}
spec:
  hosts: [)") + c.host + "]\n  " +
                             c.resolution + "\n  ports:\n  - {number: 80, name: http, protocol: HTTP}\n";
    auto snap = testing::compile_yaml(yaml);
    size_t found = 0;
    for (const auto& d : snap->diagnostics.items())
      if (d.path == "spec.resolution" && d.message.find("503 UH") != std::string::npos) ++found;
    EXPECT_EQ(found, c.warned ? 1u : 0u) << c.resolution;
  }
}

}  // namespace
}  // namespace sy::snapshot
