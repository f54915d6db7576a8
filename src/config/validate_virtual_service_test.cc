// VirtualService webhook checks: hosts, gateways, rule lists, destinations and weights.
#include "config/validate_test_support.h"

namespace sy::config::testing {
namespace {

// Scenario: VS-level structure problems are reported at the offending field.
TEST(ValidateVirtualService, Structure) {
  run_table(
      {
          {"clean gateway VS",
           vs(R"y(
hosts: ["bookinfo.example.com", "reviews"]
gateways: [bookinfo-gateway, istio-system/ingress, mesh]
http:
- route:
  - destination: {host: reviews, subset: v1, port: {number: 9080}}
    weight: 80
  - destination: {host: reviews, subset: v2}
    weight: 20
)y"),
           {}},
          {"no rules", vs("hosts: [reviews]\n"), {{"spec", "http, tcp or tls must be provided in virtual service"}}},
          {"gateways but no hosts",
           vs(R"y(
gateways: [gw]
http:
- route:
  - destination: {host: reviews}
)y"),
           {{"spec.hosts", "virtual service must have at least one host"}}},
          {"delegate with tcp",
           vs(R"y(
tcp:
- route:
  - destination: {host: reviews}
)y"),
           {{"spec.tcp", "delegate virtual service must not have tcp route"}}},
          {"wildcard star bound to mesh",
           vs(R"y(
hosts: ["*"]
http:
- route:
  - destination: {host: reviews}
)y"),
           {{"spec.hosts[0]", "wildcard host * is not allowed for virtual services bound to the mesh gateway"}}},
          {"wildcard star on gateway only is fine",
           vs(R"y(
hosts: ["*"]
gateways: [gw]
http:
- route:
  - destination: {host: reviews}
)y"),
           {}},
          {"bad host names",
           vs(R"y(
hosts: ["foo.*.com", "a_b.com"]
gateways: [gw]
http:
- route:
  - destination: {host: reviews}
)y"),
           {{"spec.hosts[0]", "wildcard must be the whole left-most label"},
            {"spec.hosts[1]", "label \"a_b\" invalid"}}},
          {"overlapping hosts",
           vs(R"y(
hosts: ["*.foo.com", "a.foo.com", "reviews", "reviews.default.svc.cluster.local"]
gateways: [gw]
http:
- route:
  - destination: {host: reviews}
)y"),
           {{"spec.hosts[1]", "duplicate hosts in virtual service: *.foo.com & a.foo.com"},
            {"spec.hosts[3]", "duplicate hosts in virtual service: reviews & reviews.default.svc.cluster.local"}}},
          {"bad gateway ref",
           vs(R"y(
hosts: [a.com]
gateways: ["Bad_NS/gw", "gw.ns.svc.cluster.local"]
http:
- route:
  - destination: {host: reviews}
)y"),
           {{"spec.gateways[0]", "invalid namespace \"Bad_NS\""}, warn("spec.gateways[1]", "deprecated FQDN form")}},
          {"destination host missing and star",
           vs(R"y(
hosts: [a.com]
gateways: [gw]
http:
- route:
  - destination: {subset: v1}
    weight: 50
  - destination: {host: "*"}
    weight: 50
)y"),
           {{"spec.http[0].route[0].destination.host", "destination.host is required"},
            {"spec.http[0].route[1].destination.host", "invalid destination host *"}}},
          {"bad subset name and port",
           vs(R"y(
hosts: [a.com]
gateways: [gw]
http:
- route:
  - destination: {host: reviews, subset: V_1, port: {number: 0}}
)y"),
           {{"spec.http[0].route[0].destination.subset", "subset name is invalid: V_1"},
            {"spec.http[0].route[0].destination.port.number", "port number 0 must be in the range 1..65535"}}},
          {"exportTo mixing",
           vs(R"y(
hosts: [a.com]
gateways: [gw]
exportTo: ["*", "ns1"]
http:
- route:
  - destination: {host: reviews}
)y"),
           {{"spec.exportTo", "cannot have both public (*) or private (~) and other entries in exportTo"}}},
      },
      Run::kObjects);
}

// Scenario: weights are relative; only negatives and an all-zero split are rejected.
TEST(ValidateVirtualService, Weights) {
  run_table(
      {
          {"negative weight",
           vs(R"y(
hosts: [a.com]
gateways: [gw]
http:
- route:
  - destination: {host: a}
    weight: -1
  - destination: {host: b}
    weight: 10
)y"),
           {{"spec.http[0].route[0].weight", "weight -1 < 0"}}},
          {"all zero",
           vs(R"y(
hosts: [a.com]
gateways: [gw]
http:
- route:
  - destination: {host: a}
    weight: 0
  - destination: {host: b}
)y"),
           {{"spec.http[0].route", "total destination weight = 0"}}},
          {"single zero weight fine",
           vs(R"y(
hosts: [a.com]
gateways: [gw]
http:
- route:
  - destination: {host: a}
    weight: 0
)y"),
           {}},
          {"weights need not sum to 100",
           vs(R"y(
hosts: [a.com]
gateways: [gw]
http:
- route:
  - destination: {host: a}
    weight: 1
  - destination: {host: b}
    weight: 3
)y"),
           {}},
          {"tcp all zero and tls without match",
           vs(R"y(
hosts: [a.com]
gateways: [gw]
tcp:
- route:
  - destination: {host: a}
    weight: 0
  - destination: {host: b}
    weight: 0
tls:
- route:
  - destination: {host: a}
)y"),
           {{"spec.tcp[0].route", "total destination weight = 0"},
            {"spec.tls[0].match", "TLS route must have at least one match condition"}}},
          {"tls sni outside hosts",
           vs(R"y(
hosts: ["*.a.com"]
gateways: [gw]
tls:
- match:
  - sniHosts: [x.a.com, b.com]
  route:
  - destination: {host: a}
)y"),
           {{"spec.tls[0].match[0].sniHosts[1]", "SNI host \"b.com\" is not a compatible subset"}}},
          {"tcp match bad subnet",
           vs(R"y(
hosts: [a.com]
gateways: [gw]
tcp:
- match:
  - destinationSubnets: [10.0.0.0/33]
    port: 99999
  route:
  - destination: {host: a}
)y"),
           {{"spec.tcp[0].match[0].destinationSubnets[0]", "is not a valid IP address or CIDR"},
            {"spec.tcp[0].match[0].port", "port number 99999"}}},
      },
      Run::kObjects);
}

}  // namespace
}  // namespace sy::config::testing
