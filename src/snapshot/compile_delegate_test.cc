#include <gtest/gtest.h>

#include "snapshot/config_hash.h"
#include "snapshot/test_support.h"

namespace sy::snapshot {
namespace {

using testing::compile_yaml;
using testing::gw;
using testing::mesh;

const char* kRegistry = R"(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: productpage, namespace: default}
spec:
  hosts: [productpage.default.svc.cluster.local]
  ports: [{number: 9080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.1, labels: {version: v1}}, {address: 10.0.0.2, labels: {version: v2}}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: productpage, namespace: pp}
spec:
  hosts: [productpage.pp.svc.cluster.local]
  ports: [{number: 9080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 10.0.1.1}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: productpage, namespace: default}
spec:
  host: productpage
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
)";

// A root on the gateway delegating /productpage, then a rule of its own.
const char* kRoot = R"(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: root, namespace: default}
spec:
  hosts: [bookinfo.com]
  gateways: [gw]
  http:
  - name: pp
    match: [{uri: {prefix: /productpage}}]
    delegate: {name: productpage}
    timeout: 5s
  - name: static
    match: [{uri: {prefix: /static}}]
    route: [{destination: {host: productpage}}]
)";

const char* kDelegate = R"(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: productpage, namespace: default}
spec:
  http:
  - name: v1
    match: [{uri: {prefix: /productpage/v1}}]
    route: [{destination: {host: productpage, subset: v1}}]
    timeout: 1s
  - name: elsewhere
    match: [{uri: {prefix: /other}}]
    route: [{destination: {host: productpage, subset: v1}}]
  - route: [{destination: {host: productpage, subset: v2}}]
)";

const RouteEntry* entry_named(const Snapshot& snap, const std::string& name) {
  for (const auto& vh : snap.listeners.at(0).virtual_hosts)
    for (const auto& e : vh.routes)
      if (e.name == name) return &e;
  return nullptr;
}

std::string warnings(const Snapshot& snap) {
  std::string out;
  for (const auto& d : snap.diagnostics.items()) out += d.to_string() + "\n";
  return out;
}

// Scenario: a root rule is replaced by its delegate's rules in order, matches ANDed, names
// combined, a conflicting delegate rule dropped, the root's timeout inherited where unset.
TEST(CompileDelegate, RootRuleReplacedByMergedDelegateRules) {
  auto snap = compile_yaml(std::string(kRegistry) + kRoot + kDelegate);
  const char* v1 = "pp-v1 -> outbound|9080|v1|productpage.default.svc.cluster.local";
  const char* v2 = "pp -> outbound|9080|v2|productpage.default.svc.cluster.local";
  EXPECT_EQ(gw(*snap, 80, {"bookinfo.com", "/productpage/v1/x"}), v1);
  EXPECT_EQ(gw(*snap, 80, {"bookinfo.com", "/productpage"}), v2);
  EXPECT_EQ(gw(*snap, 80, {"bookinfo.com", "/other"}), "no route");
  EXPECT_EQ(gw(*snap, 80, {"bookinfo.com", "/static/a.css"}),
            "static -> outbound|9080||productpage.default.svc.cluster.local");
  EXPECT_EQ(gw(*snap, 80, {"bookinfo.com", "/"}), "no route") << "the merged catch-all keeps the root's prefix";

  const RouteEntry* e1 = entry_named(*snap, "pp-v1");
  ASSERT_NE(e1, nullptr);
  EXPECT_EQ(e1->action.timeout, std::chrono::seconds(1));  // the delegate's own
  EXPECT_EQ(e1->http_index, 0u);
  EXPECT_EQ(snap->virtual_services.at(e1->delegate).name, "productpage");
  EXPECT_EQ(e1->delegate_http_index, 0u);
  const RouteEntry* e2 = entry_named(*snap, "pp");
  ASSERT_NE(e2, nullptr);
  EXPECT_EQ(e2->action.timeout, std::chrono::seconds(5));  // inherited from the root
  EXPECT_EQ(e2->delegate_http_index, 2u);

  const std::string w = warnings(*snap);
  EXPECT_NE(w.find("spec.http[1].match"), std::string::npos) << w;
  EXPECT_NE(w.find("not within any match of root default/root http[0]"), std::string::npos) << w;
  const auto& dropped = snap->listeners[0].virtual_hosts[0].dropped;
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_NE(dropped[0].find("default/productpage http[1]"), std::string::npos) << dropped[0];
}

// Scenario: a delegate that is missing, has hosts, or is not exported to the root's namespace
// drops only the root rule naming it, with a warning at that rule.
TEST(CompileDelegate, UnusableDelegateDropsOnlyThatRule) {
  const std::string private_delegate = R"(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: productpage, namespace: pp}
spec:
  exportTo: ["."]
  http:
  - route: [{destination: {host: productpage}}]
)";
  const std::string root_to_pp = std::string(kRoot).replace(std::string(kRoot).find("{name: productpage}"), 19,
                                                            "{name: productpage, namespace: pp}");
  struct Case {
    const char* name;
    std::string yaml;
    const char* warning;
  } cases[] = {
      {"missing", std::string(kRegistry) + kRoot, "delegate VirtualService default/productpage not found"},
      {"not exported", std::string(kRegistry) + root_to_pp + private_delegate,
       "delegate VirtualService pp/productpage is not exported to namespace default"},
  };
  for (const auto& c : cases) {
    auto snap = compile_yaml(c.yaml);
    EXPECT_EQ(gw(*snap, 80, {"bookinfo.com", "/productpage"}), "no route") << c.name;
    EXPECT_EQ(gw(*snap, 80, {"bookinfo.com", "/static/x"}).substr(0, 6), "static") << c.name;
    const std::string w = warnings(*snap);
    EXPECT_NE(w.find(c.warning), std::string::npos) << c.name << ": " << w;
    EXPECT_NE(w.find("test.yaml:"), std::string::npos) << w;
    EXPECT_NE(w.find("spec.http[0].delegate"), std::string::npos) << w;
  }
}

// Scenario: a delegate's short destination names resolve in the delegate's namespace.
TEST(CompileDelegate, DelegateShortNamesUseItsNamespace) {
  const std::string root_to_pp = std::string(kRoot).replace(std::string(kRoot).find("{name: productpage}"), 19,
                                                            "{name: productpage, namespace: pp}");
  const std::string delegate = R"(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: productpage, namespace: pp}
spec:
  http:
  - route: [{destination: {host: productpage}}]
)";
  auto snap = compile_yaml(std::string(kRegistry) + root_to_pp + delegate);
  EXPECT_EQ(gw(*snap, 80, {"bookinfo.com", "/productpage"}), "pp -> outbound|9080||productpage.pp.svc.cluster.local");
}

// Scenario: a delegate nobody references serves nothing; delegation works on the mesh too.
TEST(CompileDelegate, StandaloneDelegateServesNothingAndMeshRootsDelegate) {
  auto alone = compile_yaml(std::string(kRegistry) + kDelegate);
  EXPECT_TRUE(alone->listeners.at(0).virtual_hosts.empty());
  EXPECT_EQ(mesh(*alone, 9080, {"productpage", "/productpage/v1"}),
            "default -> outbound|9080||productpage.default.svc.cluster.local");

  const std::string mesh_root = R"(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mesh-root, namespace: default}
spec:
  hosts: [productpage]
  http:
  - match: [{uri: {prefix: /productpage}}]
    delegate: {name: productpage}
)";
  auto snap = compile_yaml(std::string(kRegistry) + mesh_root + kDelegate);
  EXPECT_EQ(mesh(*snap, 9080, {"productpage", "/productpage/v1"}),
            "v1 -> outbound|9080|v1|productpage.default.svc.cluster.local");
  EXPECT_EQ(mesh(*snap, 9080, {"productpage", "/"}), "no route");
}

// Scenario: editing only the delegate changes the config hash (a reload publishes) and the
// root's compiled routes.
TEST(CompileDelegate, DelegateChangeRecompilesTheRoot) {
  std::string changed = kDelegate;
  changed.replace(changed.find("/productpage/v1"), 15, "/productpage/v9");
  config::LoadResult a = config::load_string(std::string(kRegistry) + kRoot + kDelegate, "test.yaml");
  config::LoadResult b = config::load_string(std::string(kRegistry) + kRoot + changed, "test.yaml");
  EXPECT_NE(hash_config(a.config), hash_config(b.config));
  auto snap = compile(b.config, {});
  EXPECT_EQ(gw(*snap, 80, {"bookinfo.com", "/productpage/v9"}),
            "pp-v1 -> outbound|9080|v1|productpage.default.svc.cluster.local");
  EXPECT_EQ(gw(*snap, 80, {"bookinfo.com", "/productpage/v1"}),
            "pp -> outbound|9080|v2|productpage.default.svc.cluster.local");
}

}  // namespace
}  // namespace sy::snapshot
