#include <gtest/gtest.h>

#include "config/loader.h"

namespace sy::config {
namespace {

LoadResult load_fixture(const std::string& name) { return load_paths({std::string(SY_TESTDATA) + "/" + name}); }

std::string report(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics.items()) out += d.to_string() + "\n";
  return out;
}

// Scenario: Bookinfo's ingress Gateway and its VirtualService load exactly as written.
TEST(ParseGateway, BookinfoGateway) {
  auto r = load_fixture("bookinfo/bookinfo-gateway.yaml");
  ASSERT_TRUE(r.diagnostics.items().empty()) << report(r);
  ASSERT_EQ(r.config.gateways.size(), 1u);
  const Gateway& gw = r.config.gateways[0];
  EXPECT_EQ(gw.meta.name, "bookinfo-gateway");
  EXPECT_EQ(gw.meta.namespace_, "default");
  EXPECT_EQ(gw.selector, (Labels{{"istio", "ingressgateway"}}));
  ASSERT_EQ(gw.servers.size(), 1u);
  EXPECT_EQ(gw.servers[0].port.number, 8080u);
  EXPECT_EQ(gw.servers[0].port.name, "http");
  EXPECT_EQ(gw.servers[0].port.protocol, "HTTP");
  EXPECT_EQ(gw.servers[0].hosts, std::vector<std::string>{"*"});
  EXPECT_FALSE(gw.servers[0].tls);
  EXPECT_EQ(gw.source.path_lines.at("spec.servers[0].port.number"), 12);

  ASSERT_EQ(r.config.virtual_services.size(), 1u);
  const VirtualService& vs = r.config.virtual_services[0];
  EXPECT_EQ(vs.gateways, std::vector<std::string>{"bookinfo-gateway"});
  ASSERT_EQ(vs.http.size(), 1u);
  ASSERT_EQ(vs.http[0].match.size(), 5u);
  EXPECT_EQ(vs.http[0].match[1].uri->kind, StringMatch::Kind::kPrefix);
  EXPECT_EQ(vs.http[0].match[1].uri->value, "/static");
  EXPECT_EQ(vs.http[0].match[4].uri->value, "/api/v1/products");
  EXPECT_EQ(vs.http[0].route[0].destination.host, "productpage");
  EXPECT_EQ(vs.http[0].route[0].destination.port->number, 9080u);
  EXPECT_FALSE(vs.http[0].route[0].weight);
  EXPECT_EQ(vs.source.line, 18);
  EXPECT_EQ(vs.source.index, 1);
}

// Scenario: every Gateway and ServerTLSSettings field is read, enums by proto name, protocol upper-cased.
TEST(ParseGateway, AllFields) {
  using Mode = ServerTLSSettings::Mode;
  auto r = load_fixture("loader/gateway-all-fields.yaml");
  ASSERT_TRUE(r.diagnostics.items().empty()) << report(r);
  ASSERT_EQ(r.config.gateways.size(), 1u);
  const Gateway& gw = r.config.gateways[0];
  EXPECT_EQ(gw.meta.namespace_, "istio-system");
  EXPECT_EQ(gw.meta.labels, (Labels{{"app", "edge"}}));
  EXPECT_EQ(gw.meta.annotations.at("owner"), "team-net");
  ASSERT_EQ(gw.servers.size(), 5u);

  const Server& plain = gw.servers[0];
  EXPECT_EQ(plain.port.protocol, "HTTP");
  EXPECT_EQ(plain.port.target_port, 8080u);
  EXPECT_EQ(plain.bind, "0.0.0.0");
  EXPECT_EQ(plain.hosts, std::vector<std::string>{"bookinfo/*.example.com"});
  ASSERT_TRUE(plain.tls);
  EXPECT_TRUE(plain.tls->https_redirect);
  EXPECT_EQ(plain.tls->mode, Mode::kPassthrough);
  EXPECT_EQ(plain.default_endpoint, "127.0.0.1:8080");
  EXPECT_EQ(plain.name, "plain");

  const ServerTLSSettings& mutual = *gw.servers[1].tls;
  EXPECT_EQ(mutual.mode, Mode::kMutual);
  EXPECT_EQ(mutual.server_certificate, "/etc/certs/server.pem");
  EXPECT_EQ(mutual.private_key, "/etc/certs/key.pem");
  EXPECT_EQ(mutual.ca_certificates, "/etc/certs/ca.pem");
  EXPECT_EQ(mutual.ca_crl, "/etc/certs/crl.pem");
  EXPECT_EQ(mutual.subject_alt_names, std::vector<std::string>{"spiffe://cluster.local/ns/a/sa/b"});
  EXPECT_EQ(mutual.verify_certificate_spki, std::vector<std::string>{"abc="});
  EXPECT_EQ(mutual.verify_certificate_hash, std::vector<std::string>{"AB:CD"});
  EXPECT_EQ(mutual.min_protocol_version, "TLSV1_2");
  EXPECT_EQ(mutual.max_protocol_version, "TLSV1_3");
  EXPECT_EQ(mutual.cipher_suites, std::vector<std::string>{"ECDHE-RSA-AES256-GCM-SHA384"});
  EXPECT_EQ(mutual.ecdh_curves, (std::vector<std::string>{"X25519", "P-256"}));
  EXPECT_EQ(mutual.insecure_skip_verify, true);

  const ServerTLSSettings& multi = *gw.servers[2].tls;
  EXPECT_EQ(multi.mode, Mode::kSimple);
  EXPECT_TRUE(multi.ecdh_curves.empty());
  EXPECT_FALSE(multi.insecure_skip_verify);
  EXPECT_EQ(multi.credential_names, (std::vector<std::string>{"rsa-cert", "ecdsa-cert"}));
  EXPECT_EQ(multi.ca_cert_credential_name, "client-ca");

  const ServerTLSSettings& files = *gw.servers[3].tls;
  EXPECT_EQ(files.mode, Mode::kOptionalMutual);
  ASSERT_EQ(files.tls_certificates.size(), 1u);
  EXPECT_EQ(files.tls_certificates[0].server_certificate, "/etc/rsa.pem");
  EXPECT_EQ(files.tls_certificates[0].private_key, "/etc/rsa.key");
  EXPECT_EQ(files.tls_certificates[0].ca_certificates, "/etc/ca.pem");

  EXPECT_EQ(gw.servers[4].tls->mode, Mode::kAutoPassthrough);
  EXPECT_EQ(gw.servers[4].tls->credential_name, "sds-cert");
}

// Scenario: enum-valued strings reject values outside the proto's list and name the allowed ones.
TEST(ParseGateway, RejectsUnknownEnumValues) {
  struct Case {
    const char* tls;
    const char* path;
    const char* message;
  } cases[] = {
      {"{mode: SIMPLEST}", "spec.servers[0].tls.mode",
       "unknown value \"SIMPLEST\", allowed: PASSTHROUGH, SIMPLE, MUTUAL, AUTO_PASSTHROUGH, ISTIO_MUTUAL, "
       "OPTIONAL_MUTUAL"},
      {"{mode: simple}", "spec.servers[0].tls.mode", "unknown value \"simple\""},
      {"{minProtocolVersion: TLSV1_4}", "spec.servers[0].tls.minProtocolVersion", "allowed: TLS_AUTO, TLSV1_0"},
      {"{httpsRedirect: \"true\"}", "spec.servers[0].tls.httpsRedirect", "expected a boolean"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.tls);
    auto r = load_string(std::string("apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\n"
                                     "spec:\n  servers:\n  - port: {number: 443, name: https, protocol: HTTPS}\n"
                                     "    tls: ") +
                             c.tls + "\n",
                         "g.yaml");
    ASSERT_EQ(r.diagnostics.error_count(), 1u) << report(r);
    EXPECT_EQ(r.diagnostics.items()[0].path, c.path);
    EXPECT_EQ(r.diagnostics.items()[0].line, 7);
    EXPECT_NE(r.diagnostics.items()[0].message.find(c.message), std::string::npos) << report(r);
  }
}

}  // namespace
}  // namespace sy::config
