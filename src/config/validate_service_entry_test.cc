// ServiceEntry and WorkloadEntry webhook checks.
#include "config/validate_test_support.h"

namespace sy::config::testing {
namespace {

// Scenario: hosts, ports and resolution/endpoint combinations.
TEST(ValidateServiceEntry, Table) {
  run_table(
      {
          {"clean static",
           se(R"y(
hosts: [reviews.default.svc.cluster.local]
ports:
- {number: 9080, name: http, protocol: HTTP}
resolution: STATIC
endpoints:
- {address: 10.0.0.1, labels: {version: v1}, ports: {http: 19080}}
)y"),
           {}},
          {"clean dns",
           se(R"y(
hosts: [httpbin.org]
ports:
- {number: 443, name: https, protocol: TLS}
resolution: DNS
)y"),
           {}},
          {"no hosts, star host",
           se("hosts: []\nports:\n- {number: 80, name: http}\n"),
           {{"spec.hosts", "service entry must have at least one host"}}},
          {"star host",
           se("hosts: [\"*\"]\nports:\n- {number: 80, name: http}\n"),
           {{"spec.hosts[0]", "invalid host *"}}},
          {"port problems",
           se(R"y(
hosts: [a.example.com]
ports:
- {number: 80, name: http}
- {number: 80, name: http2}
- {number: 8080, name: http}
- {number: 0, protocol: QUIC}
)y"),
           {{"spec.ports[1].number", "service entry port 80 already defined"},
            {"spec.ports[2].name", "service entry port name \"http\" already defined"},
            {"spec.ports[3].number", "port number is required"},
            {"spec.ports[3].name", "port name must be set"},
            {"spec.ports[3].protocol", "invalid protocol \"QUIC\""}}},
          {"none with endpoints",
           se(R"y(
hosts: [a.example.com]
ports:
- {number: 80, name: http}
endpoints:
- {address: 10.0.0.1}
)y"),
           {{"spec.endpoints", "no endpoints should be provided for resolution type none"}}},
          {"dns without endpoints needs fqdn",
           se(R"y(
hosts: ["*.example.com"]
ports:
- {number: 80, name: http}
resolution: DNS
)y"),
           {{"spec.hosts[0]", "hosts must be FQDN if no endpoints are provided for resolution mode DNS"}}},
          {"endpoint port not defined, bad address",
           se(R"y(
hosts: [a.example.com]
ports:
- {number: 80, name: http}
resolution: STATIC
endpoints:
- {address: not-an-ip, ports: {grpc: 9000}}
)y"),
           {{"spec.endpoints[0].address", "endpoint address \"not-an-ip\" is not a valid IP address"},
            {"spec.endpoints[0].ports.grpc", "endpoint port grpc is not defined by the service entry"}}},
          {"endpoints and selector",
           se(R"y(
hosts: [a.example.com]
ports:
- {number: 80, name: http}
resolution: STATIC
endpoints:
- {address: 10.0.0.1}
workloadSelector:
  labels: {app: a}
)y"),
           {{"spec", "only one of WorkloadSelector or Endpoints is allowed in Service Entry"}}},
          {"dns round robin with two endpoints",
           se(R"y(
hosts: [a.example.com]
ports:
- {number: 80, name: http}
resolution: DNS_ROUND_ROBIN
endpoints:
- {address: a1.example.com}
- {address: a2.example.com}
)y"),
           {{"spec.endpoints", "there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN"}}},
          {"cidr address with dns",
           se(R"y(
hosts: [a.example.com]
addresses: [10.0.0.0/24, bogus]
ports:
- {number: 80, name: http}
resolution: DNS
)y"),
           {{"spec.addresses[0]", "CIDR addresses are allowed only for NONE/STATIC resolution types"},
            {"spec.addresses[1]", "invalid address bogus"}}},
      },
      Run::kObjects);
}

// Scenario: Istio's ServiceEntry webhook rules for partial wildcards, unix endpoints, port names
// and IPv6 addresses (istio/istio pkg/config/validation: ValidateWildcardDomain +
// ValidatePartialWildCard, ValidateUnixAddress, ValidatePortName), where switchyard used to differ.
TEST(ValidateServiceEntry, IstioWebhookRules) {
  run_table(
      {
          {"partial wildcard host is a warning",
           se(R"y(
hosts: ["*x", "*-api.example.com", "*svc.example.com"]
ports:
- {number: 80, name: http, protocol: HTTP}
)y"),
           {warn("spec.hosts[0]", "partial wildcard \"*x\" not allowed"),
            warn("spec.hosts[1]", "partial wildcard \"*-api.example.com\" not allowed"),
            warn("spec.hosts[2]", "partial wildcard \"*svc.example.com\" not allowed")}},
          {"wildcard elsewhere than the front is an error",
           se(R"y(
hosts: ["x*", "a.*.example.com", "**.example.com", "*_x"]
ports:
- {number: 80, name: http, protocol: HTTP}
)y"),
           {{"spec.hosts[0]", "wildcard must be the whole left-most label"},
            {"spec.hosts[1]", "wildcard must be the whole left-most label"},
            {"spec.hosts[2]", "label \"**\" invalid"},
            {"spec.hosts[3]", "label \"*_x\" invalid"}}},
          {"IPv6 addresses from a flow list",
           se(R"y(
hosts: [a.example.com]
addresses: [1.2.3.4, 001:db8::]
ports:
- {number: 80, name: http, protocol: HTTP}
)y"),
           {}},
          {"abstract unix endpoint",
           se(R"y(
hosts: [uds.example.com]
ports:
- {number: 80, name: http, protocol: HTTP}
resolution: STATIC
endpoints:
- address: unix://@envoy-admin
)y"),
           {warn("spec.endpoints[0].address", "unix:// endpoints are not supported yet")}},
          {"unix path endpoint",
           se(R"y(
hosts: [uds.example.com]
ports:
- {number: 80, name: http, protocol: HTTP}
resolution: STATIC
endpoints:
- address: unix:///var/run/app.sock
)y"),
           {warn("spec.endpoints[0].address", "unix:// endpoints are not supported yet")}},
          {"unix directory, relative path, empty, ports",
           se(R"y(
hosts: [uds.example.com]
ports:
- {number: 80, name: http, protocol: HTTP}
resolution: STATIC
endpoints:
- address: unix:///var/run/
- address: unix://run/app.sock
- address: "unix://"
- address: unix:///run/app.sock
  ports: {http: 8080}
)y"),
           {{"spec.endpoints[0].address", "/var/run/ is not an absolute path to a file"},
            {"spec.endpoints[1].address", "run/app.sock is not an absolute path to a file"},
            {"spec.endpoints[2].address", "unix address must not be empty"},
            {"spec.endpoints[3].ports", "unix endpoint unix:///run/app.sock must not include ports"},
            warn("spec.endpoints[0].address", "not supported yet"),
            warn("spec.endpoints[1].address", "not supported yet"),
            warn("spec.endpoints[2].address", "not supported yet"),
            warn("spec.endpoints[3].address", "not supported yet")}},
          {"unix endpoint needs exactly one service port",
           se(R"y(
hosts: [uds.example.com]
ports:
- {number: 80, name: http, protocol: HTTP}
- {number: 81, name: http2, protocol: HTTP}
resolution: STATIC
endpoints:
- address: unix://@sock
)y"),
           {{"spec.endpoints[0].address", "exactly 1 service port required for unix endpoints"},
            warn("spec.endpoints[0].address", "not supported yet")}},
          {"port names must be DNS-1123 labels",
           se(R"y(
hosts: [a.example.com]
ports:
- {number: 80, name: "@", protocol: HTTP}
- {number: 81, name: Http, protocol: HTTP}
resolution: STATIC
endpoints:
- {address: 10.0.0.1, ports: {"@": 8080}}
)y"),
           {{"spec.ports[0].name", "invalid port name: @"},
            {"spec.ports[1].name", "invalid port name: Http"},
            {"spec.endpoints[0].ports.@", "invalid port name: @"}}},
      },
      Run::kObjects);
}

// Scenario: a standalone WorkloadEntry needs an address unless it names a network.
TEST(ValidateWorkloadEntry, Table) {
  run_table(
      {
          {"clean", we("address: 10.0.0.5\nlabels: {app: reviews, version: v3}\nports: {http: 9080}\nweight: 5\n"), {}},
          {"network only", we("network: net2\nlabels: {app: reviews}\n"), {}},
          {"missing address", we("labels: {app: reviews}\n"), {{"spec.address", "address is required"}}},
          {"bad port and locality",
           we("address: 10.0.0.5\nports: {http: 70000}\nlocality: a/b/c/d\n"),
           {{"spec.ports.http", "port number 70000"}, {"spec.locality", "must be region/zone/subzone"}}},
      },
      Run::kObjects);
}

}  // namespace
}  // namespace sy::config::testing
