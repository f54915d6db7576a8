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
