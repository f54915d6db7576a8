// Gateway checks, mirroring Istio's webhook: servers, ports, hosts and server TLS settings.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "config/hostname.h"
#include "config/validate.h"
#include "config/validate_common.h"
#include "core/base64.h"
#include "tls/peer_identity.h"

namespace sy::config {
namespace {

using detail::Reporter;

constexpr std::string_view kGatewayProtocols[] = {"HTTP",  "HTTPS", "GRPC", "GRPC-WEB", "HTTP2",
                                                  "MONGO", "TCP",   "TLS",  "REDIS",    "MYSQL"};

bool known_protocol(std::string_view p) {
  for (auto k : kGatewayProtocols)
    if (k == p) return true;
  return false;
}

// `[namespace/]dnsName` with namespace `*`, `.` or a namespace name.
void check_server_host(Reporter& r, const std::string& path, const std::string& host) {
  size_t slash = host.find('/');
  if (slash != std::string::npos && host.find('/', slash + 1) != std::string::npos) {
    r.error(path, fmt::format("host \"{}\" must be of form namespace/dnsName", host));
    return;
  }
  std::string ns = slash == std::string::npos ? "*" : host.substr(0, slash);
  std::string dns = slash == std::string::npos ? host : host.substr(slash + 1);
  if (ns.empty()) r.error(path, fmt::format("namespace in host \"{}\" must not be empty", host));
  else if (ns != "*" && ns != "." && !detail::is_dns1123_label(ns))
    r.error(path, fmt::format("invalid namespace \"{}\" in host \"{}\"", ns, host));
  if (auto p = detail::wildcard_domain_problem(dns)) r.error(path, *p);
}

bool routed_as_http(std::string_view proto) {
  return proto == "HTTP" || proto == "HTTP2" || proto == "GRPC" || proto == "GRPC-WEB";
}

bool terminating(ServerTLSSettings::Mode m) {
  using Mode = ServerTLSSettings::Mode;
  return m == Mode::kSimple || m == Mode::kMutual || m == Mode::kOptionalMutual || m == Mode::kIstioMutual;
}

// True when the tls block asks for more than httpsRedirect (a mode, certificates, versions, ...).
// The model cannot tell an absent `mode` from an explicit PASSTHROUGH (both are enum value 0), so
// the fields the loader saw under `tls_path` count too.
bool tls_beyond_redirect(const ServerTLSSettings& t, const Source& source, const std::string& tls_path) {
  if (t.mode != ServerTLSSettings::Mode::kPassthrough || !t.server_certificate.empty() || !t.private_key.empty() ||
      !t.ca_certificates.empty() || !t.ca_crl.empty() || !t.credential_name.empty() || !t.credential_names.empty() ||
      !t.tls_certificates.empty() || !t.ca_cert_credential_name.empty() || !t.subject_alt_names.empty() ||
      !t.verify_certificate_spki.empty() || !t.verify_certificate_hash.empty() || !t.min_protocol_version.empty() ||
      !t.max_protocol_version.empty() || !t.cipher_suites.empty())
    return true;
  const std::string prefix = tls_path + ".";
  bool beyond = false;
  source.path_lines.for_each([&](std::string_view path, int) {
    if (!path.starts_with(prefix)) return;
    std::string_view field = path.substr(prefix.size());
    field = field.substr(0, field.find_first_of(".["));
    if (field != "httpsRedirect") beyond = true;
  });
  return beyond;
}

// The form of the pinned client-certificate digests, which otherwise would simply never match;
// a CRL where no client certificate is checked.
void refuse_unenforced(Reporter& r, const std::string& tpath, const ServerTLSSettings& t) {
  using Mode = ServerTLSSettings::Mode;
  if (!t.ca_crl.empty() && t.mode != Mode::kMutual && t.mode != Mode::kOptionalMutual)
    r.warning(detail::keyed(tpath, "caCrl"),
              "has no effect: only MUTUAL and OPTIONAL_MUTUAL servers check client certificates against it");
  for (size_t i = 0; i < t.verify_certificate_spki.size(); ++i) {
    const auto raw = base64_decode(t.verify_certificate_spki[i]);
    if (!raw || raw->size() != 32)
      r.error(detail::indexed(detail::keyed(tpath, "verifyCertificateSpki"), i),
              "must be the base64 SHA-256 (32 bytes) of a SubjectPublicKeyInfo");
  }
  for (size_t i = 0; i < t.verify_certificate_hash.size(); ++i) {
    const std::string hex = tls::normalize_hash(t.verify_certificate_hash[i]);
    if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos)
      r.error(detail::indexed(detail::keyed(tpath, "verifyCertificateHash"), i),
              "must be the hex SHA-256 of a certificate (64 digits, colons allowed)");
  }
  // Key-exchange groups as Envoy names them (BoringSSL/OpenSSL group names); an unknown one
  // would make the whole server fail to load.
  static constexpr std::string_view kCurves[] = {"P-256", "P-384", "P-521", "X25519", "X448"};
  for (size_t i = 0; i < t.ecdh_curves.size(); ++i)
    if (std::find(std::begin(kCurves), std::end(kCurves), t.ecdh_curves[i]) == std::end(kCurves))
      r.error(detail::indexed(detail::keyed(tpath, "ecdhCurves"), i),
              fmt::format("unknown ECDH curve \"{}\" (P-256, P-384, P-521, X25519, X448)", t.ecdh_curves[i]));
  // insecureSkipVerify lets a client certificate that fails verification through (istio/api
  // pull request 3727, Gateway API's AllowInsecureFallback). Not applying it fails closed: such
  // clients are refused in the handshake, as without the flag. Said, not refused.
  using Mode = ServerTLSSettings::Mode;
  if (t.insecure_skip_verify.value_or(false) && (t.mode == Mode::kMutual || t.mode == Mode::kOptionalMutual))
    r.warning(detail::keyed(tpath, "insecureSkipVerify"),
              "not enforced yet: a client certificate that fails verification is refused in the handshake (as "
              "without insecureSkipVerify) instead of being let through");
}

// switchyard terminates TLS on HTTPS servers in SIMPLE, MUTUAL, OPTIONAL_MUTUAL and ISTIO_MUTUAL mode. Any other
// server that asks for TLS is an error rather than a silent downgrade: HTTP-routed ones would be
// served as plaintext on the port the config says is TLS, the others would not be served at all.
// httpsRedirect on a plaintext server is enforced (answered with a 301 to https).
void refuse_tls(Reporter& r, const std::string& path, const Server& s, const Source& source) {
  using Mode = ServerTLSSettings::Mode;
  const std::string& proto = s.port.protocol;
  const std::string tpath = detail::keyed(path, "tls");
  const bool tls_proto = proto == "HTTPS" || proto == "TLS";
  const bool tls_settings = s.tls && tls_beyond_redirect(*s.tls, source, tpath);
  if (!tls_proto && !tls_settings) return;
  // ISTIO_MUTUAL terminates with the workload certificate given to `serve`; without one the
  // server stays closed, said when the snapshot compiles (validate prints that too).
  if (proto == "HTTPS" && s.tls &&
      (s.tls->mode == Mode::kSimple || s.tls->mode == Mode::kMutual || s.tls->mode == Mode::kOptionalMutual ||
       s.tls->mode == Mode::kIstioMutual)) {
    refuse_unenforced(r, tpath, *s.tls);
    return;
  }
  // TLS passthrough: routed by SNI through VirtualService tls[] rules, TLS kept end to end.
  if (tls_proto && s.tls && s.tls->mode == Mode::kPassthrough) return;
  if (proto == "HTTP") {
    r.error(tpath,
            "server cannot have TLS settings for plain text HTTP ports; only httpsRedirect may be set (TLS "
            "termination is not supported yet: this server would be served as plaintext)");
    return;
  }
  const std::string where = s.tls ? tpath : detail::keyed(detail::keyed(path, "port"), "protocol");
  const bool passthrough = s.tls && !terminating(s.tls->mode) && !routed_as_http(proto);
  const char* what = passthrough ? "TLS passthrough" : "TLS termination";
  const bool served_plaintext = routed_as_http(proto) || (proto == "HTTPS" && s.tls && terminating(s.tls->mode));
  if (served_plaintext) {
    r.error(where, fmt::format("{} is not supported yet: this server would be served as plaintext HTTP on port {}; "
                               "remove it, or make it a protocol HTTP server without TLS settings",
                               what, s.port.number));
  } else {
    r.error(where, fmt::format("{} is not supported yet: this {} server would not be served at all; remove it", what,
                               proto.empty() ? "TLS" : proto));
  }
}

void check_server_tls(Reporter& r, const std::string& path, const Server& s, const Source& source) {
  using Mode = ServerTLSSettings::Mode;
  const std::string& proto = s.port.protocol;
  bool tls_proto = proto == "HTTPS" || proto == "TLS";
  refuse_tls(r, path, s, source);
  if (!s.tls) {
    if (tls_proto) r.error(path, "server must have TLS settings for HTTPS/TLS protocols");
    return;
  }
  const ServerTLSSettings& t = *s.tls;
  const std::string tpath = detail::keyed(path, "tls");
  bool has_files = !t.server_certificate.empty() || !t.private_key.empty() || !t.ca_certificates.empty();
  bool has_cert_source = has_files || !t.credential_name.empty() || !t.credential_names.empty() ||
                         !t.tls_certificates.empty();
  if (proto == "HTTP") return;  // anything beyond httpsRedirect was refused above
  if (t.https_redirect && tls_proto)
    r.warning(detail::keyed(tpath, "httpsRedirect"), "httpsRedirect only applies to plain-text HTTP servers");
  int sources = (!t.credential_name.empty()) + (!t.credential_names.empty()) + (!t.tls_certificates.empty()) +
                (!t.server_certificate.empty() || !t.private_key.empty());
  if (sources > 1)
    r.error(tpath,
            "only one of credential_name, credential_names, tls_certificates or server_certificate/private_key "
            "can be set");
  if (t.credential_names.size() > 2)
    r.error(detail::keyed(tpath, "credentialNames"), "at most 2 credential names (one RSA, one ECDSA) can be set");
  switch (t.mode) {
    case Mode::kIstioMutual:
      if (has_cert_source || !t.ca_cert_credential_name.empty())
        r.error(tpath,
                "ISTIO_MUTUAL TLS cannot have associated private key, server certificate, CA bundle or "
                "credential name");
      break;
    case Mode::kSimple:
    case Mode::kMutual:
    case Mode::kOptionalMutual: {
      const char* name = t.mode == Mode::kSimple ? "SIMPLE" : t.mode == Mode::kMutual ? "MUTUAL" : "OPTIONAL_MUTUAL";
      bool from_secret = !t.credential_name.empty() || !t.credential_names.empty();
      if (from_secret || !t.tls_certificates.empty()) break;
      if (t.server_certificate.empty()) r.error(tpath, fmt::format("{} TLS requires a server certificate", name));
      if (t.private_key.empty()) r.error(tpath, fmt::format("{} TLS requires a private key", name));
      if (t.mode != Mode::kSimple && t.ca_certificates.empty() && t.ca_cert_credential_name.empty())
        r.error(tpath, fmt::format("{} TLS requires a client CA bundle", name));
      break;
    }
    case Mode::kPassthrough:
    case Mode::kAutoPassthrough:
      if (proto == "HTTPS" && t.mode == Mode::kAutoPassthrough)
        r.error(tpath, "AUTO_PASSTHROUGH mode requires a TLS server (protocol TLS)");
      break;
  }
}

}  // namespace

void validate_gateway(const Gateway& gw, Diagnostics& out) {
  Reporter r(out, "Gateway", gw.meta, gw.source);
  detail::check_labels(r, "spec.selector", gw.selector);
  if (gw.servers.empty()) {
    r.error("spec.servers", "gateway must have at least one server");
    return;
  }
  std::set<std::string> port_names;
  std::set<std::string> server_names;
  for (size_t i = 0; i < gw.servers.size(); ++i) {
    const Server& s = gw.servers[i];
    const std::string path = detail::indexed("spec.servers", i);
    const std::string ppath = detail::keyed(path, "port");
    bool uds = s.bind.starts_with("unix://");
    if (s.port.number == 0 && !uds) r.error(detail::keyed(ppath, "number"), "port number is required");
    else if (s.port.number != 0) detail::check_port_number(r, detail::keyed(ppath, "number"), s.port.number);
    if (s.port.protocol.empty()) {
      r.error(detail::keyed(ppath, "protocol"), "port protocol is required");
    } else if (!known_protocol(s.port.protocol)) {
      r.error(detail::keyed(ppath, "protocol"),
              fmt::format("invalid protocol \"{}\", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, "
                          "MYSQL, TCP, HTTPS, TLS",
                          s.port.protocol));
    }
    if (s.port.name.empty()) {
      r.error(detail::keyed(ppath, "name"), "port name must be set");
    } else if (!port_names.insert(s.port.name).second) {
      r.error(detail::keyed(ppath, "name"),
              fmt::format("port names in servers must be unique: duplicate name {}", s.port.name));
    }
    if (s.port.target_port) r.warning(detail::keyed(ppath, "targetPort"), "targetPort is deprecated and ignored");
    if (!s.name.empty() && !server_names.insert(s.name).second)
      r.error(detail::keyed(path, "name"), fmt::format("server names must be unique: duplicate name {}", s.name));
    if (!s.bind.empty() && !uds && !is_ip_address(s.bind))
      r.error(detail::keyed(path, "bind"), fmt::format("bind \"{}\" must be an IP address or unix:// path", s.bind));
    if (s.hosts.empty()) r.error(detail::keyed(path, "hosts"), "server config must contain at least one host");
    for (size_t h = 0; h < s.hosts.size(); ++h)
      check_server_host(r, detail::indexed(detail::keyed(path, "hosts"), h), s.hosts[h]);
    check_server_tls(r, path, s, gw.source);
  }
}

}  // namespace sy::config
