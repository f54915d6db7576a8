// Cross-object analysis (istioctl analyze): references, conflicts and reachability.
#include "config/validate_test_support.h"

namespace sy::config::testing {
namespace {

// Registry shared by the cases: a gateway on :80, reviews (one port, v1/v2 endpoints),
// ratings (two ports), a wildcard external host, and reviews subsets v1/v2.
std::string registry() {
  return gw(R"y(
selector: {istio: ingressgateway}
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: ["*.example.com", "reviews.default.svc.cluster.local"]
)y",
            "gw") +
         se(R"y(
hosts: [reviews.default.svc.cluster.local]
ports:
- {number: 9080, name: http, protocol: HTTP}
resolution: STATIC
endpoints:
- {address: 10.0.0.1, labels: {app: reviews, version: v1}}
- {address: 10.0.0.2, labels: {app: reviews, version: v2}}
)y",
            "reviews") +
         se(R"y(
hosts: [ratings.default.svc.cluster.local]
ports:
- {number: 9080, name: http, protocol: HTTP}
- {number: 9090, name: grpc, protocol: GRPC}
resolution: DNS
)y",
            "ratings") +
         se(R"y(
hosts: ["*.example.com"]
ports:
- {number: 80, name: http, protocol: HTTP}
)y",
            "external") +
         dr(R"y(
host: reviews
subsets:
- {name: v1, labels: {version: v1}}
- {name: v2, labels: {version: v2}}
)y",
            "reviews");
}

// A VS in `ns` bound to default/gw with hosts `hosts` and the given http rules.
std::string bound_vs(std::string_view hosts, std::string_view http, std::string_view name = "vs",
                     std::string_view ns = "default") {
  return vs("hosts: " + std::string(hosts) + "\ngateways: [default/gw]\nhttp:\n" + std::string(http), name, ns);
}

// Scenario: destinations, subsets, ports and gateways must resolve against the registry.
TEST(Analyze, References) {
  run_table(
      {
          {"clean",
           registry() + bound_vs("[a.example.com, reviews]", R"y(
- route:
  - destination: {host: reviews, subset: v1}
    weight: 90
  - destination: {host: b.example.com}
    weight: 10
  mirror: {host: ratings.default.svc.cluster.local, port: {number: 9080}}
)y"),
           {}},
          {"host not found",
           registry() + bound_vs("[a.example.com]", R"y(
- route:
  - destination: {host: nope}
)y"),
           {{"spec.http[0].route[0].destination.host",
             "IST0101 Referenced host not found: \"nope.default.svc.cluster.local\""}}},
          {"short name resolves in the VS namespace",
           registry() + bound_vs("[a.example.com]", R"y(
- route:
  - destination: {host: reviews}
)y",
                                 "vs", "other"),
           {{"spec.http[0].route[0].destination.host",
             "Referenced host not found: \"reviews.other.svc.cluster.local\""}}},
          {"subset not found",
           registry() + bound_vs("[a.example.com]", R"y(
- route:
  - destination: {host: reviews, subset: v4}
)y"),
           {{"spec.http[0].route[0].destination.subset",
             "IST0101 Referenced host+subset in destinationrule not found: \"reviews+v4\""}}},
          {"mirror host not found",
           registry() + bound_vs("[a.example.com]", R"y(
- route:
  - destination: {host: reviews}
  mirror: {host: shadow.example.org}
)y"),
           {{"spec.http[0].mirror.host", "IST0101 Referenced mirror host not found: \"shadow.example.org\""}}},
          {"gateway not found",
           registry() + vs(R"y(
hosts: [a.example.com]
gateways: [nogw]
http:
- route:
  - destination: {host: reviews}
)y"),
           {{"spec.gateways[0]", "IST0101 Referenced gateway not found: \"default/nogw\""},
            // Istio says both: a missing gateway exposes none of the hosts either.
            warn("spec.gateways[0]",
                 "IST0132 one or more host [a.example.com] defined in VirtualService default/x not "
                 "found in Gateway default/nogw.")}},
          {"multi-port service needs a port",
           registry() + bound_vs("[a.example.com]", R"y(
- match: [{uri: {prefix: /ratings}}]
  route:
  - destination: {host: ratings}
- route:
  - destination: {host: ratings, port: {number: 7000}}
)y"),
           {{"spec.http[0].route[0].destination",
             "IST0112 This VirtualService routes to a service "
             "\"ratings.default.svc.cluster.local\" that exposes multiple ports"},
            {"spec.http[1].route[0].destination.port.number",
             "IST0101 Referenced host:port not found: \"ratings.default.svc.cluster.local:7000\""}}},
          {"host not exposed by gateway",
           registry() + bound_vs("[a.example.com, b.other.org]", R"y(
- route:
  - destination: {host: reviews}
)y"),
           // One host is exposed, so the VirtualService/gateway pair is fine (Istio reports a pair
           // only when none of the hosts is).
           {}},
          {"no host exposed by gateway",
           registry() + bound_vs("[b.other.org, c.other.org]", R"y(
- route:
  - destination: {host: reviews}
)y"),
           {warn("spec.gateways[0]",
                 "IST0132 one or more host [b.other.org c.other.org] defined in VirtualService default/vs not "
                 "found in Gateway default/gw.")}},
          {"mesh-only VS",
           registry() + vs(R"y(
hosts: [reviews]
http:
- route:
  - destination: {host: reviews}
)y"),
           {warn("spec.gateways", "VirtualService is bound to no gateway (mesh only)")}},
          {"delegates",
           registry() + bound_vs("[a.example.com]", R"y(
- match:
  - uri: {prefix: /reviews}
  delegate: {name: reviews-delegate}
- match:
  - uri: {prefix: /missing}
  delegate: {name: missing, namespace: other}
)y") +
               vs(R"y(
http:
- route:
  - destination: {host: reviews}
)y",
                  "reviews-delegate") +
               vs(R"y(
http:
- route:
  - destination: {host: reviews}
)y",
                  "orphan"),
           {{"spec.http[1].delegate", "IST0101 Referenced delegate virtualservice not found: \"other/missing\""},
            warn("spec", "delegate VirtualService (no hosts) is not referenced by any root VirtualService")}},
      },
      Run::kAnalyze);
}

// Scenario: DestinationRules must name a known host; their subsets should select endpoints.
TEST(Analyze, DestinationRules) {
  run_table(
      {
          {"unknown host",
           registry() + dr("host: nope.example.org\n", "nope"),
           {warn("spec.host", "IST0174 DestinationRule host \"nope.example.org\"")}},
          {"subset selects nothing",
           registry() + dr(R"y(
host: reviews.default.svc.cluster.local
subsets:
- {name: v3, labels: {version: v3}}
)y",
                           "reviews-v3"),
           {warn("spec.subsets[0]", "IST0173 subset \"v3\" selects no endpoints")}},
          {"several DRs for one host merge",
           registry() + dr(R"y(
host: reviews
trafficPolicy:
  loadBalancer: {simple: ROUND_ROBIN}
)y",
                           "reviews-lb"),
           {}},
          {"workload selector picks WorkloadEntries of the SE namespace only",
           se(R"y(
hosts: [vm.example.internal]
ports:
- {number: 80, name: http}
resolution: STATIC
workloadSelector:
  labels: {app: vm}
)y",
              "vm", "apps") +
               we("address: 10.1.0.1\nlabels: {app: vm, version: v1}\n", "vm-1", "apps") +
               we("address: 10.1.0.2\nlabels: {app: vm, version: v2}\n", "vm-2", "elsewhere") +
               dr(R"y(
host: vm.example.internal
subsets:
- {name: v1, labels: {version: v1}}
- {name: v2, labels: {version: v2}}
)y",
                  "vm", "apps"),
           {warn("spec.subsets[1]", "IST0173 subset \"v2\" selects no endpoints")}},
      },
      Run::kAnalyze);
}

// Scenario: conflicting mesh VirtualServices and Gateways, and rules shadowed by a catch-all.
TEST(Analyze, Conflicts) {
  run_table(
      {
          {"two mesh VS for one host",
           registry() +
               vs(R"y(
hosts: [reviews]
http:
- route:
  - destination: {host: reviews, subset: v1}
)y",
                  "a") +
               vs(R"y(
hosts: [reviews.default.svc.cluster.local]
http:
- route:
  - destination: {host: reviews, subset: v2}
)y",
                  "b"),
           {{"spec.hosts[0]",
             "IST0109 The VirtualServices default/a,default/b associated with mesh gateway define the "
             "same host */reviews.default.svc.cluster.local"},
            {"spec.hosts[0]", "IST0109 The VirtualServices default/a,default/b"},
            warn("spec.gateways", "bound to no gateway"),
            warn("spec.gateways", "bound to no gateway")}},
          {"one VirtualService defined twice",
           registry() +
               vs(R"y(
hosts: [reviews]
http:
- route:
  - destination: {host: reviews, subset: v1}
)y",
                  "reviews") +
               vs(R"y(
hosts: [reviews]
http:
- route:
  - destination: {host: reviews, subset: v2}
)y",
                  "reviews"),
           // A duplicate, not two VirtualServices sharing a host: no IST0109.
           {warn("metadata.name", "VirtualService default/reviews is also defined at case.yaml:"),
            warn("spec.gateways", "bound to no gateway"), warn("spec.gateways", "bound to no gateway")}},
          {"two gateway VS for one host merge",
           registry() +
               bound_vs("[a.example.com]", R"y(
- match: [{uri: {prefix: /a}}]
  route:
  - destination: {host: reviews}
)y",
                        "a") +
               bound_vs("[a.example.com]", R"y(
- route:
  - destination: {host: reviews}
)y",
                        "b"),
           {}},
          {"gateways claiming the same port and host",
           registry() +
               gw(R"y(
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: ["a.example.com", "*.example.com"]
)y",
                  "gw2") +
               gw(R"y(
selector: {istio: other}
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: ["*.example.com"]
)y",
                  "gw3"),
           // Every Gateway of a conflict is reported, once per server, naming the others; an empty
           // selector overlaps every other selector.
           {{"spec.servers[0].hosts[0]",
             "IST0145 Conflict with gateways default/gw,default/gw3 (workload selector <all>, port 80, "
             "hosts a.example.com,*.example.com)."},
            {"spec.servers[0].hosts[0]",
             "IST0145 Conflict with gateways default/gw2 (workload selector istio=ingressgateway, port 80, hosts "
             "*.example.com,reviews.default.svc.cluster.local)."},
            {"spec.servers[0].hosts[0]",
             "IST0145 Conflict with gateways default/gw2 (workload selector istio=other, port 80, hosts "
             "*.example.com)."}}},
          {"unreachable rules",
           registry() + bound_vs("[a.example.com]", R"y(
- match: [{uri: {prefix: /api}}]
  route:
  - destination: {host: reviews}
- match: [{uri: {prefix: /}}, {headers: {x: {exact: y}}}]
  route:
  - destination: {host: reviews}
- route:
  - destination: {host: reviews}
- match: [{uri: {exact: /late}}]
  route:
  - destination: {host: reviews}
)y"),
           {warn("spec.http[2]", "IST0130 VirtualService rule #2 not used (rule #1 matches every request)."),
            warn("spec.http[3]", "IST0130 VirtualService rule #3 not used (route without matches defined before).")}},
          {"no-match rule first",
           registry() + bound_vs("[a.example.com]", R"y(
- route:
  - destination: {host: reviews}
- match: [{uri: {regex: ".*"}, headers: {x: {exact: y}}}]
  route:
  - destination: {host: reviews}
)y"),
           {warn("spec.http[1]", "IST0130 VirtualService rule #1 not used (route without matches defined before).")}},
      },
      Run::kAnalyze);
}

// A mesh VirtualService `name` in `ns` for `host` with the given exportTo (empty: unset).
std::string mesh_vs(std::string_view host, std::string_view export_to, std::string_view name, std::string_view ns) {
  std::string spec = "hosts: [\"" + std::string(host) + "\"]\n";
  if (!export_to.empty()) spec += "exportTo: " + std::string(export_to) + "\n";
  return vs(spec + "http:\n- route:\n  - destination: {host: b.example.com}\n", name, ns);
}

// Scenario: istioctl analyze's view of mesh host conflicts (IST0109 per export scope, wildcard
// overlaps with public VirtualServices), gateways (IST0132 per VirtualService/gateway pair),
// duplicate and covered matches (IST0130/IST0131 in http, tcp and tls rules) and subsets of
// unknown hosts; one message per offending object, on every object of a conflict.
TEST(Analyze, IstioctlFidelity) {
  const auto mesh_note = [] { return warn("spec.gateways", "bound to no gateway"); };
  run_table(
      {
          {"namespace-private VirtualServices of two namespaces do not conflict",
           registry() + mesh_vs("reviews.default.svc.cluster.local", "[\".\"]", "a", "default") +
               mesh_vs("reviews.default.svc.cluster.local", "[\".\"]", "b", "shop"),
           {mesh_note(), mesh_note()}},
          {"two private ones in one namespace do",
           registry() + mesh_vs("a.example.com", "[\".\"]", "a", "shop") +
               mesh_vs("a.example.com", "[shop]", "b", "shop"),
           {{"spec.hosts[0]",
             "IST0109 The VirtualServices shop/a,shop/b associated with mesh gateway define the same "
             "host shop/a.example.com"},
            {"spec.hosts[0]", "IST0109 The VirtualServices shop/a,shop/b"},
            mesh_note(),
            mesh_note()}},
          {"a private host overlapping a public wildcard conflicts, on both",
           registry() + mesh_vs("a.example.com", "[\".\"]", "a", "shop") +
               mesh_vs("*.example.com", "", "wild", "default"),
           {{"spec.hosts[0]",
             "IST0109 The VirtualServices shop/a,default/wild associated with mesh gateway define "
             "the same host shop/a.example.com"},
            {"spec.hosts[0]", "IST0109 The VirtualServices shop/a,default/wild"},
            mesh_note(),
            mesh_note()}},
          {"a VirtualService bound to two gateways, each host on one, is fine",
           registry() +
               gw("selector: {istio: other}\nservers:\n- port: {number: 81, name: http, protocol: HTTP}\n  hosts: "
                  "[\"api.internal\"]\n",
                  "gw2") +
               vs("hosts: [a.example.com, api.internal]\ngateways: [gw, gw2]\nhttp:\n- route:\n  - destination: "
                  "{host: reviews}\n"),
           {}},
          {"duplicate http matches, all of a rule's, and a covered prefix",
           registry() + bound_vs("[a.example.com]", R"y(
- name: api
  match: [{uri: {prefix: /api}}, {uri: {exact: /health}}]
  route: [{destination: {host: reviews}}]
- match: [{name: again, uri: {prefix: /api}}, {uri: {prefix: /other}}]
  route: [{destination: {host: reviews}}]
- match: [{uri: {exact: /health}}]
  route: [{destination: {host: reviews}}]
- match: [{uri: {prefix: /api/v1}}, {uri: {prefix: /api/v2}, method: {exact: POST}}]
  route: [{destination: {host: reviews}}]
)y"),
           {warn("spec.http[1].match[0]",
                 "IST0131 VirtualService rule #1 match \"again\" is not used (duplicates a "
                 "match in rule \"api\")."),
            warn("spec.http[2].match[0]",
                 "IST0131 VirtualService rule #2 match #0 is not used (duplicates a match in "
                 "rule \"api\")."),
            warn("spec.http[2]", "IST0130 VirtualService rule #2 not used (all matches used by prior rules)."),
            warn("spec.http[3].match[0]",
                 "IST0131 VirtualService rule #3 match #0 of prefix /api/v1 is not used "
                 "(duplicates a match in rule #0 of prefix /api on \"api\").")}},
          {"tcp and tls rules",
           registry() + vs(R"y(
hosts: [a.example.com]
gateways: [gw]
tcp:
- match: [{port: 3306}]
  route: [{destination: {host: reviews}}]
- match: [{port: 3306}]
  route: [{destination: {host: reviews}}]
- route: [{destination: {host: reviews}}]
- match: [{port: 5432}]
  route: [{destination: {host: reviews}}]
tls:
- match: [{sniHosts: [a.example.com]}, {sniHosts: [a.example.com], port: 443}]
  route: [{destination: {host: reviews}}]
- match: [{sniHosts: [a.example.com], port: 443}]
  route: [{destination: {host: reviews}}]
)y"),
           {warn("spec.tcp[1].match[0]",
                 "IST0131 VirtualService rule #1 match #0 is not used (duplicates a match in "
                 "rule #0)."),
            warn("spec.tcp[1]", "IST0130 VirtualService rule #1 not used (all matches used by prior rules)."),
            warn("spec.tcp[3]", "IST0130 VirtualService rule #3 not used (route without matches defined before)."),
            warn("spec.tls[1].match[0]", "IST0131 VirtualService rule #1 match #0 is not used"),
            warn("spec.tls[1]", "IST0130 VirtualService rule #1 not used (all matches used by prior rules).")}},
          {"a subset of an unknown host is still checked",
           registry() + bound_vs("[a.example.com]", R"y(
- route:
  - destination: {host: nope, subset: v1}
)y"),
           {{"destination.host", "IST0101 Referenced host not found: \"nope.default.svc.cluster.local\""},
            {"destination.subset", "IST0101 Referenced host+subset in destinationrule not found: \"nope+v1\""}}},
      },
      Run::kAnalyze);
}

}  // namespace
}  // namespace sy::config::testing
