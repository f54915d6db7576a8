#include "explain/explain.h"

#include <gtest/gtest.h>

#include "snapshot/test_support.h"

namespace sy::explain {
namespace {

const char* kConfig = R"(
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: gw, namespace: edge}
spec:
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: {name: api, namespace: edge}
spec:
  hosts: [api.internal]
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: {name: api, namespace: edge}
spec:
  host: api.internal
  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 3}
  subsets:
  - {name: canary, labels: {track: canary}}
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: shop, namespace: edge}
spec:
  hosts: [shop.example.com]
  gateways: [gw]
  http:
  - name: jason
    match: [{headers: {user: {exact: jason}}}]
    route: [{destination: {host: api.internal, subset: canary}}]
  - name: v1
    match: [{uri: {prefix: /v1/}}]
    rewrite: {uri: /}
    timeout: 3s
    retries: {attempts: 4, retryOn: "5xx,503"}
    fault: {abort: {httpStatus: 503, percentage: {value: 10}}}
    mirror: {host: api.internal}
    mirrorPercentage: {value: 5}
    route:
    - destination: {host: api.internal}
      weight: 90
    - destination: {host: nowhere.internal}
      weight: 10
  - name: old
    match: [{uri: {exact: /old}}]
    redirect: {uri: /new}
)";

ExplainResult run(const std::string& gateway, const std::string& url,
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
  auto snap = snapshot::testing::compile_yaml(kConfig);
  return explain(*snap, {gateway, "GET", url, std::move(headers)});
}

// Scenario: a routed request shows earlier routes' first failing condition, the destinations
// with weights and clusters, and the route's effective policies.
TEST(Explain, RoutedWithPolicies) {
  ExplainResult r = run("edge/gw", "http://shop.example.com/v1/items?q=1", {{"user", "alice"}});
  ASSERT_TRUE(r.matched) << r.to_text();
  EXPECT_EQ(r.outcome, ExplainResult::Outcome::kRouted);
  EXPECT_EQ(r.listener, "0.0.0.0:80 HTTP");
  EXPECT_EQ(r.route_name, "v1");
  EXPECT_EQ(r.virtual_service, "edge/shop");
  EXPECT_EQ(r.virtual_service_file, "test.yaml");
  ASSERT_EQ(r.not_matched.size(), 1u);
  EXPECT_EQ(r.not_matched[0].failure, "header \"user\": \"alice\" does not match exact \"jason\"");
  ASSERT_EQ(r.destinations.size(), 2u);
  EXPECT_DOUBLE_EQ(r.destinations[0].percent, 90);
  EXPECT_EQ(r.destinations[0].cluster.name, "outbound|8080||api.internal");
  EXPECT_EQ(r.destinations[0].cluster.discovery, "DNS");
  EXPECT_EQ(r.destinations[0].cluster.endpoints.size(), 1u);  // the host itself, resolved at runtime
  EXPECT_TRUE(r.destinations[0].cluster.policy.outlier.enabled);
  EXPECT_EQ(r.destinations[0].cluster.policy.outlier.consecutive_5xx, 3u);
  EXPECT_TRUE(r.destinations[1].cluster.missing);
  EXPECT_EQ(r.rewritten_path, "/items?q=1");
  EXPECT_EQ(r.timeout, std::chrono::seconds(3));
  EXPECT_EQ(r.retry.num_retries, 4u);
  EXPECT_TRUE(r.retry.retry_on.retriable_status(503));
  EXPECT_EQ(r.fault.abort_percent.per_million(), 100'000u);
  ASSERT_EQ(r.mirrors.size(), 1u);
  EXPECT_DOUBLE_EQ(r.mirrors[0].percent, 5);

  nlohmann::json j = r.to_json();
  EXPECT_EQ(j["outcome"], "routed");
  EXPECT_EQ(j["route"]["name"], "v1");
  EXPECT_EQ(j["route"]["destinations"][0]["cluster"]["policy"]["loadBalancer"]["algorithm"], "LEAST_REQUEST");
  EXPECT_EQ(j["route"]["destinations"][1]["cluster"]["missing"], true);
  EXPECT_EQ(j["route"]["retries"]["retryOn"], "5xx,retriable-status-codes,503");
  EXPECT_EQ(j["notMatched"][0]["failure"], "header \"user\": \"alice\" does not match exact \"jason\"");
  std::string text = r.to_text();
  EXPECT_NE(text.find("MATCHED"), std::string::npos) << text;
  EXPECT_NE(text.find("missing cluster, 503 NC"), std::string::npos) << text;
}

// Scenario: a request taken by a delegate's rule names the root rule and the delegate rule (with
// its file and line), in text and JSON, for the matched route and the ones tried before it.
TEST(Explain, DelegatedRuleNamesTheDelegate) {
  const std::string yaml = std::string(kConfig) + R"(
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: root, namespace: edge}
spec:
  hosts: [books.example.com]
  gateways: [gw]
  http:
  - name: books
    match: [{uri: {prefix: /books}}]
    delegate: {name: books}
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: books, namespace: edge}
spec:
  http:
  - name: new
    match: [{uri: {prefix: /books/new}}]
    route: [{destination: {host: api.internal, subset: canary}}]
  - route: [{destination: {host: api.internal}}]
)";
  auto snap = snapshot::testing::compile_yaml(yaml);
  ExplainResult r = explain(*snap, {"edge/gw", "GET", "http://books.example.com/books/old", {}});
  ASSERT_TRUE(r.matched) << r.to_text();
  EXPECT_EQ(r.virtual_service, "edge/root");
  EXPECT_EQ(r.route_name, "books");
  EXPECT_EQ(r.http_index, 0u);
  EXPECT_EQ(r.delegate.substr(0, 30), "edge/books http[1] (test.yaml:") << r.delegate;
  ASSERT_EQ(r.not_matched.size(), 1u);
  EXPECT_EQ(r.not_matched[0].name, "books-new");
  EXPECT_EQ(r.not_matched[0].delegate.substr(0, 18), "edge/books http[0]");
  EXPECT_EQ(r.to_json()["route"]["delegate"], r.delegate);
  std::string text = r.to_text();
  EXPECT_NE(text.find("via delegate edge/books http[1]"), std::string::npos) << text;
}

// Scenario: each way to get a 404 (or a redirect) says why.
TEST(Explain, WhyNotRouted) {
  struct Case {
    const char* gateway;
    const char* url;
    ExplainResult::Outcome outcome;
    uint32_t status;
    const char* reason_contains;
  } cases[] = {
      {"edge/gw", "http://shop.example.com:8080/", ExplainResult::Outcome::kNotFound, 404, "no listener on port 8080"},
      {"edge/nope", "http://shop.example.com/", ExplainResult::Outcome::kNotFound, 404, "has no HTTP listener"},
      {"gw", "http://other.example.com/", ExplainResult::Outcome::kNotFound, 404,
       "no virtual host for \"other.example.com\""},
      {"edge/gw", "http://shop.example.com/nothing", ExplainResult::Outcome::kNotFound, 404,
       "no route of virtual host"},
      {"edge/gw", "shop.example.com/old?x=1", ExplainResult::Outcome::kRedirect, 301, ""},
      {"mesh", "http://api.internal:9999/", ExplainResult::Outcome::kNotFound, 404,
       "no mesh route table for port 9999"},
      {"mesh", "http://api.internal:8080/", ExplainResult::Outcome::kRouted, 200, ""},
      {"edge/gw", "http:///", ExplainResult::Outcome::kBadRequest, 400, "no host"},
  };
  for (const auto& c : cases) {
    ExplainResult r = run(c.gateway, c.url);
    EXPECT_EQ(r.outcome, c.outcome) << c.url << "\n" << r.to_text();
    EXPECT_EQ(r.status, c.status) << c.url;
    EXPECT_NE(r.reason.find(c.reason_contains), std::string::npos) << c.url << ": " << r.reason;
    EXPECT_FALSE(r.to_text().empty());
    EXPECT_EQ(r.to_json()["status"], c.status);
  }
  ExplainResult redirect = run("edge/gw", "shop.example.com/old?x=1");
  EXPECT_EQ(redirect.location, "http://shop.example.com/new?x=1");
  ExplainResult nr = run("edge/gw", "http://shop.example.com/nothing");
  EXPECT_EQ(nr.not_matched.size(), 3u);
  EXPECT_EQ(nr.not_matched[2].failure, "uri \"/nothing\" does not match exact \"/old\"");
}

// Scenario: a URL without a port goes to the gateway's only listener port, or in mesh mode to the
// only port the host is served on; an explicit port is taken as written.
TEST(Explain, InfersPortWhenUrlHasNone) {
  auto snap = snapshot::testing::compile_yaml(R"(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: demo}
spec:
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: demo}
spec:
  hosts: ["*"]
  gateways: [edge]
  http:
  - route: [{destination: {host: api.internal}}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api, namespace: demo}
spec:
  hosts: [api.internal]
  ports: [{number: 8081, name: http, protocol: HTTP}]
  resolution: DNS
)");
  ExplainResult gw = explain(*snap, {"edge", "GET", "http://api.example.com/x", {}});
  EXPECT_TRUE(gw.matched) << gw.to_text();
  EXPECT_EQ(gw.port, 8080u);
  EXPECT_FALSE(gw.port_from_url);
  EXPECT_NE(gw.port_note.find("listens only on 8080"), std::string::npos) << gw.port_note;
  EXPECT_EQ(gw.route_line, 17);

  ExplainResult explicit_port = explain(*snap, {"demo/edge", "GET", "http://api.example.com:80/x", {}});
  EXPECT_FALSE(explicit_port.listener_found);
  EXPECT_EQ(explicit_port.outcome, ExplainResult::Outcome::kNotFound);
  EXPECT_NE(explicit_port.reason.find("it listens on 8080"), std::string::npos) << explicit_port.reason;

  ExplainResult mesh = explain(*snap, {"mesh", "GET", "http://api.internal/y", {}});
  EXPECT_TRUE(mesh.matched) << mesh.to_text();
  EXPECT_EQ(mesh.port, 8081u);
  EXPECT_EQ(mesh.listener, "mesh:8081");

  ExplainResult bad = explain(*snap, {"mesh", "GET", "http://api.internal:x/y", {}});
  EXPECT_EQ(bad.outcome, ExplainResult::Outcome::kBadRequest);
}

}  // namespace
}  // namespace sy::explain
