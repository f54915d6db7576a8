// Gateway webhook checks: servers, ports, hosts and server TLS settings.
#include <algorithm>

#include "config/validate_test_support.h"

namespace sy::config::testing {
namespace {

// Scenario: each malformed Gateway is rejected with Istio's text at the offending field.
TEST(ValidateGateway, Table) {
  run_table(
      {
          {"clean http + http with httpsRedirect",
           gw(R"y(
selector: {istio: ingressgateway}
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: ["*"]
  tls: {httpsRedirect: true}
- port: {number: 8080, name: http-alt, protocol: HTTP}
  hosts: ["ns1/a.example.com", "./*.example.com"]
)y"),
           {}},
          {"no servers",
           gw("selector: {istio: ingressgateway}\nservers: []\n"),
           {{"spec.servers", "gateway must have at least one server"}}},
          {"missing port fields and hosts",
           gw(R"y(
servers:
- port: {number: 0}
)y"),
           {{"spec.servers[0].port.number", "port number is required"},
            {"spec.servers[0].port.protocol", "port protocol is required"},
            {"spec.servers[0].port.name", "port name must be set"},
            {"spec.servers[0].hosts", "server config must contain at least one host"}}},
          {"port out of range, bad protocol",
           gw(R"y(
servers:
- port: {number: 70000, name: p, protocol: QUIC}
  hosts: ["*"]
)y"),
           {{"spec.servers[0].port.number", "port number 70000 must be in the range 1..65535"},
            {"spec.servers[0].port.protocol", "invalid protocol \"QUIC\""}}},
          {"a GRPC-WEB port is served (gRPC-Web is translated to gRPC)",
           gw(R"y(
servers:
- port: {number: 8080, name: web, protocol: GRPC-WEB}
  hosts: ["*"]
)y"),
           {}},
          {"duplicate port names",
           gw(R"y(
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: ["a.example.com"]
- port: {number: 8080, name: http, protocol: HTTP}
  hosts: ["b.example.com"]
)y"),
           {{"spec.servers[1].port.name", "port names in servers must be unique"}}},
          {"bad hosts",
           gw(R"y(
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: ["a/b/c", "Bad_NS/x.com", "foo.*.com", "/x.com"]
)y"),
           {{"spec.servers[0].hosts[0]", "must be of form namespace/dnsName"},
            {"spec.servers[0].hosts[1]", "invalid namespace \"Bad_NS\""},
            {"spec.servers[0].hosts[2]", "wildcard must be the whole left-most label"},
            {"spec.servers[0].hosts[3]", "namespace in host \"/x.com\" must not be empty"}}},
          {"https without tls",
           gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["*"]
)y"),
           {{"spec.servers[0]", "server must have TLS settings for HTTPS/TLS protocols"},
            {"spec.servers[0].port.protocol", "TLS termination is not supported yet"}}},
          {"simple without cert",
           gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["*"]
  tls: {mode: SIMPLE}
)y"),
           {{"spec.servers[0].tls", "SIMPLE TLS requires a server certificate"},
            {"spec.servers[0].tls", "SIMPLE TLS requires a private key"}}},
          {"mutual without ca",
           gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["*"]
  tls: {mode: MUTUAL, serverCertificate: /c.pem, privateKey: /k.pem}
)y"),
           {{"spec.servers[0].tls", "MUTUAL TLS requires a client CA bundle"}}},
          {"http server with tls mode",
           gw(R"y(
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: ["*"]
  tls: {mode: SIMPLE, credentialName: c}
)y"),
           {{"spec.servers[0].tls", "server cannot have TLS settings for plain text HTTP ports"}}},
          {"istio mutual with cert",
           gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["*"]
  tls: {mode: ISTIO_MUTUAL, credentialName: c}
)y"),
           {{"spec.servers[0].tls", "ISTIO_MUTUAL TLS cannot have"}}},
          {"passthrough tls is well-formed",
           gw(R"y(
servers:
- port: {number: 443, name: tls, protocol: TLS}
  hosts: ["*.example.com"]
  tls: {mode: PASSTHROUGH}
)y"),
           {}},
      },
      Run::kObjects);
}

// Scenario: HTTPS servers in SIMPLE, MUTUAL, OPTIONAL_MUTUAL and ISTIO_MUTUAL mode are terminated;
// every other server that asks for TLS (passthrough, protocol TLS, TLS on other protocols), and
// client-certificate checks not enforced yet, are errors instead of a silent plaintext listener;
// httpsRedirect alone on a plaintext server is enforced (301) and stays valid.
TEST(ValidateGateway, TlsRefused) {
  run_table(
      {
          {"standard Istio ingress is valid",
           gw(R"y(
selector: {istio: ingressgateway}
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: ["*.example.com"]
  tls: {httpsRedirect: true}
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["*.example.com"]
  tls: {mode: SIMPLE, credentialName: my-cert}
)y"),
           {}},
          {"caCrl is accepted on MUTUAL; malformed pinned digests are errors at their entry",
           gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["a.example.com"]
  tls: {mode: MUTUAL, credentialName: a, subjectAltNames: [x], verifyCertificateSpki: [y],
        verifyCertificateHash: [z], caCrl: /crl.pem}
)y"),
           {{"spec.servers[0].tls.verifyCertificateSpki[0]", "base64 SHA-256"},
            {"spec.servers[0].tls.verifyCertificateHash[0]", "hex SHA-256"}}},
          {"well-formed client-certificate pins and names are in force",
           gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["a.example.com"]
  tls: {mode: MUTUAL, credentialName: a, subjectAltNames: [spiffe://td/ns/a/sa/b],
        verifyCertificateSpki: [NvqYIYSbgK2vCJpQhObf77vv+bQWtc5ek5RIOwPiC9A=],
        verifyCertificateHash: ["DF:6F:F7:2F:E9:11:65:21:26:8F:65:63:18:ED:68:D1:ED:08:13:72:DF:1C:11:BE:74:D5:A4:91:C6:44:EF:C5"]}
)y"),
           {}},
          {"every terminating mode on HTTPS",
           gw(R"y(
servers:
- port: {number: 443, name: simple, protocol: HTTPS}
  hosts: ["a.example.com"]
  tls: {mode: SIMPLE, serverCertificate: /c.pem, privateKey: /k.pem}
- port: {number: 8443, name: mutual, protocol: HTTPS}
  hosts: ["b.example.com"]
  tls: {mode: MUTUAL, credentialName: b-cert}
- port: {number: 9443, name: optional, protocol: HTTPS}
  hosts: ["c.example.com"]
  tls: {mode: OPTIONAL_MUTUAL, credentialName: c-cert}
- port: {number: 10443, name: istio, protocol: HTTPS}
  hosts: ["d.example.com"]
  tls: {mode: ISTIO_MUTUAL}
)y"),
           {}},
          {"PASSTHROUGH is routed; AUTO_PASSTHROUGH and terminating TLS servers are not served at all",
           gw(R"y(
servers:
- port: {number: 443, name: https-pass, protocol: HTTPS}
  hosts: ["a.example.com"]
  tls: {mode: PASSTHROUGH}
- port: {number: 15443, name: tls-auto, protocol: TLS}
  hosts: ["*.local"]
  tls: {mode: AUTO_PASSTHROUGH}
- port: {number: 8443, name: tls-simple, protocol: TLS}
  hosts: ["b.example.com"]
  tls: {mode: SIMPLE, credentialName: b-cert}
)y"),
           {{"spec.servers[1].tls", "TLS passthrough is not supported yet: this TLS server would not be served at all"},
            {"spec.servers[2].tls", "TLS termination is not supported yet: this TLS server would not be served"}}},
          {"HTTPS without a tls block points at the protocol",
           gw(R"y(
servers:
- port: {number: 443, name: https, protocol: https}
  hosts: ["*"]
)y"),
           {{"spec.servers[0]", "server must have TLS settings for HTTPS/TLS protocols"},
            {"spec.servers[0].port.protocol", "TLS termination is not supported yet"}}},
          {"TLS settings on other HTTP-routed protocols would be plaintext",
           gw(R"y(
servers:
- port: {number: 9000, name: grpc, protocol: GRPC}
  hosts: ["a.example.com"]
  tls: {mode: SIMPLE, credentialName: a-cert}
- port: {number: 9001, name: h2, protocol: HTTP2}
  hosts: ["b.example.com"]
  tls: {credentialName: b-cert}
)y"),
           {{"spec.servers[0].tls",
             "TLS termination is not supported yet: this server would be served as plaintext HTTP on port 9000"},
            {"spec.servers[1].tls", "served as plaintext HTTP on port 9001"}}},
          {"an HTTP server's tls block may hold httpsRedirect and nothing else",
           gw(R"y(
servers:
- port: {number: 80, name: a, protocol: HTTP}
  hosts: ["a.example.com"]
  tls: {httpsRedirect: true, mode: PASSTHROUGH}
- port: {number: 81, name: b, protocol: HTTP}
  hosts: ["b.example.com"]
  tls: {httpsRedirect: true, minProtocolVersion: TLSV1_2}
- port: {number: 82, name: c, protocol: HTTP}
  hosts: ["c.example.com"]
  tls: {httpsRedirect: false}
- port: {number: 83, name: d, protocol: HTTP}
  hosts: ["d.example.com"]
  tls: {}
- port: {number: 84, name: e, protocol: HTTP2}
  hosts: ["e.example.com"]
  tls: {httpsRedirect: true}
)y"),
           {{"spec.servers[0].tls",
             "server cannot have TLS settings for plain text HTTP ports; only httpsRedirect may "
             "be set (TLS termination is not supported yet"},
            {"spec.servers[1].tls", "server cannot have TLS settings for plain text HTTP ports"}}},
          {"httpsRedirect on an HTTPS server warns",
           gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["*"]
  tls: {httpsRedirect: true, mode: SIMPLE, credentialName: c}
)y"),
           {warn("spec.servers[0].tls.httpsRedirect", "httpsRedirect only applies to plain-text HTTP servers")}},
      },
      Run::kObjects);
}

// Scenario: ServerTLSSettings fields of istio/api master are read, not refused as unknown:
// ecdhCurves is enforced and its names are checked;
// insecureSkipVerify relaxes client-certificate checks, so not applying it fails closed and is
// only said.
TEST(ValidateGateway, CurrentSchemaTlsFields) {
  run_table(
      {
          {"ecdhCurves of known groups are in force",
           gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["a.example.com"]
  tls: {mode: SIMPLE, credentialName: a, ecdhCurves: [X25519, P-256, P-384, P-521, X448]}
)y"),
           {}},
          {"an unknown ecdhCurve is an error at its entry",
           gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["a.example.com"]
  tls: {mode: SIMPLE, credentialName: a, ecdhCurves: [X25519, secp256k1]}
)y"),
           {{"spec.servers[0].tls.ecdhCurves[1]", "unknown ECDH curve \"secp256k1\""}}},
          {"insecureSkipVerify on MUTUAL and OPTIONAL_MUTUAL warns",
           gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["a.example.com"]
  tls: {mode: MUTUAL, credentialName: a, insecureSkipVerify: true}
- port: {number: 8443, name: https-opt, protocol: HTTPS}
  hosts: ["b.example.com"]
  tls: {mode: OPTIONAL_MUTUAL, credentialName: b, insecureSkipVerify: true}
)y"),
           {warn("spec.servers[0].tls.insecureSkipVerify", "refused in the handshake"),
            warn("spec.servers[1].tls.insecureSkipVerify", "refused in the handshake")}},
          {"insecureSkipVerify false, or on SIMPLE where no client certificate is asked, is in force",
           gw(R"y(
servers:
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["a.example.com"]
  tls: {mode: MUTUAL, credentialName: a, insecureSkipVerify: false}
- port: {number: 8443, name: https-simple, protocol: HTTPS}
  hosts: ["b.example.com"]
  tls: {mode: SIMPLE, credentialName: b, insecureSkipVerify: true}
)y"),
           {}},
          {"on a plain HTTP server they are TLS settings",
           gw(R"y(
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: ["a.example.com"]
  tls: {httpsRedirect: true, ecdhCurves: [X25519]}
)y"),
           {{"spec.servers[0].tls", "server cannot have TLS settings for plain text HTTP ports"}}},
      },
      Run::kObjects);
}

// Scenario: a diagnostic is printed at the line of its field (a SIMPLE server's caCrl, which checks
// nothing there), so an editor can jump to it from FILE:LINE.
TEST(ValidateGateway, TlsRefusalLine) {
  const std::string yaml = gw(R"y(
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: ["*"]
  tls:
    httpsRedirect: true
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: ["*"]
  tls:
    mode: SIMPLE
    credentialName: c
    caCrl: /crl.pem
)y");
  const size_t https = yaml.find("protocol: HTTPS");
  const int tls_line = 1 + static_cast<int>(std::count(yaml.begin(), yaml.begin() + yaml.find("caCrl:", https), '\n'));
  LoadResult loaded = load_string(yaml, "gw.yaml");
  ASSERT_TRUE(loaded.diagnostics.items().empty()) << dump(loaded.diagnostics);
  Diagnostics got;
  validate_gateway(loaded.config.gateways.at(0), got);
  ASSERT_EQ(got.items().size(), 1u) << dump(got);
  EXPECT_EQ(got.items()[0].path, "spec.servers[1].tls.caCrl");
  EXPECT_EQ(got.items()[0].line, tls_line) << got.items()[0].to_string();
  EXPECT_TRUE(got.items()[0].to_string().starts_with(
      "gw.yaml:" + std::to_string(tls_line) + ": Gateway default/x: spec.servers[1].tls.caCrl: warning: has no effect"))
      << got.items()[0].to_string();
}

}  // namespace
}  // namespace sy::config::testing
