// Gateway webhook checks: servers, ports, hosts and server TLS settings.
#include "config/validate_test_support.h"

namespace sy::config::testing {
namespace {

// Scenario: each malformed Gateway is rejected with Istio's text at the offending field.
TEST(ValidateGateway, Table) {
  run_table(
      {
          {"clean http + https", gw(R"y(
selector: {istio: ingressgateway}
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: ["*"]
  tls: {httpsRedirect: true}
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["ns1/a.example.com", "./*.example.com"]
  tls: {mode: SIMPLE, credentialName: a-cert}
)y"),
           {}},
          {"no servers", gw("selector: {istio: ingressgateway}\nservers: []\n"),
           {{"spec.servers", "gateway must have at least one server"}}},
          {"missing port fields and hosts", gw(R"y(
servers:
- port: {number: 0}
)y"),
           {{"spec.servers[0].port.number", "port number is required"},
            {"spec.servers[0].port.protocol", "port protocol is required"},
            {"spec.servers[0].port.name", "port name must be set"},
            {"spec.servers[0].hosts", "server config must contain at least one host"}}},
          {"port out of range, bad protocol", gw(R"y(
servers:
- port: {number: 70000, name: p, protocol: QUIC}
  hosts: ["*"]
)y"),
           {{"spec.servers[0].port.number", "port number 70000 must be in the range 1..65535"},
            {"spec.servers[0].port.protocol", "invalid protocol \"QUIC\""}}},
          {"duplicate port names", gw(R"y(
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: ["a.example.com"]
- port: {number: 8080, name: http, protocol: HTTP}
  hosts: ["b.example.com"]
)y"),
           {{"spec.servers[1].port.name", "port names in servers must be unique"}}},
          {"bad hosts", gw(R"y(
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: ["a/b/c", "Bad_NS/x.com", "foo.*.com", "/x.com"]
)y"),
           {{"spec.servers[0].hosts[0]", "must be of form namespace/dnsName"},
            {"spec.servers[0].hosts[1]", "invalid namespace \"Bad_NS\""},
            {"spec.servers[0].hosts[2]", "wildcard must be the whole left-most label"},
            {"spec.servers[0].hosts[3]", "namespace in host \"/x.com\" must not be empty"}}},
          {"https without tls", gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["*"]
)y"),
           {{"spec.servers[0]", "server must have TLS settings for HTTPS/TLS protocols"}}},
          {"simple without cert", gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["*"]
  tls: {mode: SIMPLE}
)y"),
           {{"spec.servers[0].tls", "SIMPLE TLS requires a server certificate"},
            {"spec.servers[0].tls", "SIMPLE TLS requires a private key"}}},
          {"mutual without ca", gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["*"]
  tls: {mode: MUTUAL, serverCertificate: /c.pem, privateKey: /k.pem}
)y"),
           {{"spec.servers[0].tls", "MUTUAL TLS requires a client CA bundle"}}},
          {"http server with tls mode", gw(R"y(
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: ["*"]
  tls: {mode: SIMPLE, credentialName: c}
)y"),
           {{"spec.servers[0].tls", "server cannot have TLS settings for plain text HTTP ports"}}},
          {"istio mutual with cert", gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["*"]
  tls: {mode: ISTIO_MUTUAL, credentialName: c}
)y"),
           {{"spec.servers[0].tls", "ISTIO_MUTUAL TLS cannot have"}}},
          {"passthrough tls is fine", gw(R"y(
servers:
- port: {number: 443, name: tls, protocol: TLS}
  hosts: ["*.example.com"]
  tls: {mode: PASSTHROUGH}
)y"),
           {}},
      },
      Run::kObjects);
}

}  // namespace
}  // namespace sy::config::testing
