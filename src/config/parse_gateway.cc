// Gateway spec: servers (port, hosts, TLS settings) and the workload selector.
#include <cctype>

#include "config/parse_common.h"

namespace sy::config::parse {
namespace {

using Mode = ServerTLSSettings::Mode;

std::string upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

void gateway_port(Cursor& c, GatewayPort& out) {
  c.read("number", out.number);
  c.read("protocol", out.protocol);
  out.protocol = upper(out.protocol);  // Istio parses protocol names case-insensitively
  c.read("name", out.name);
  c.read("targetPort", out.target_port);
}

// TLS protocol versions are an enum in the proto; the model keeps the name as a string.
void tls_version(Cursor& c, std::string_view key, std::string& out) {
  if (auto f = c.field(key)) {
    auto v = f->as_enum<int>({{"TLS_AUTO", 0}, {"TLSV1_0", 1}, {"TLSV1_1", 2}, {"TLSV1_2", 3}, {"TLSV1_3", 4}});
    if (v) out = *f->as_string();
  }
}

void server_tls(Cursor& c, ServerTLSSettings& out) {
  c.read("httpsRedirect", out.https_redirect);
  c.read_enum("mode", out.mode,
              {{"PASSTHROUGH", Mode::kPassthrough},
               {"SIMPLE", Mode::kSimple},
               {"MUTUAL", Mode::kMutual},
               {"AUTO_PASSTHROUGH", Mode::kAutoPassthrough},
               {"ISTIO_MUTUAL", Mode::kIstioMutual},
               {"OPTIONAL_MUTUAL", Mode::kOptionalMutual}});
  c.read("serverCertificate", out.server_certificate);
  c.read("privateKey", out.private_key);
  c.read("caCertificates", out.ca_certificates);
  c.read("caCrl", out.ca_crl);
  c.read("credentialName", out.credential_name);
  c.read("credentialNames", out.credential_names);
  c.read_list("tlsCertificates", out.tls_certificates, [](Cursor& t, ServerTLSSettings::Certificate& cert) {
    t.read("serverCertificate", cert.server_certificate);
    t.read("privateKey", cert.private_key);
    t.read("caCertificates", cert.ca_certificates);
  });
  c.read("caCertCredentialName", out.ca_cert_credential_name);
  c.read("subjectAltNames", out.subject_alt_names);
  c.read("verifyCertificateSpki", out.verify_certificate_spki);
  c.read("verifyCertificateHash", out.verify_certificate_hash);
  tls_version(c, "minProtocolVersion", out.min_protocol_version);
  tls_version(c, "maxProtocolVersion", out.max_protocol_version);
  c.read("cipherSuites", out.cipher_suites);
  c.read("ecdhCurves", out.ecdh_curves);
  c.read("insecureSkipVerify", out.insecure_skip_verify);
}

void server(Cursor& c, Server& out) {
  c.read_object("port", out.port, gateway_port);
  c.read("bind", out.bind);
  c.read("hosts", out.hosts);
  c.read_object("tls", out.tls, server_tls);
  c.read("defaultEndpoint", out.default_endpoint);
  c.read("name", out.name);
}

}  // namespace

void gateway_spec(Cursor& spec, Gateway& out) {
  spec.read_list("servers", out.servers, server);
  spec.read("selector", out.selector);
}

}  // namespace sy::config::parse
