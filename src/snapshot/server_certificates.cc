#include "snapshot/server_certificates.h"

#include "snapshot/tls_material.h"
#include "tls/revocation.h"

namespace sy::snapshot {

namespace {

using Mode = config::ServerTLSSettings::Mode;
using detail::find_secret;
using detail::read_pem_file;
using detail::secret_value;

// The key pair of Secret `credential`; adds its CA (ca.crt/cacert) to `ca` when present.
bool pair_from_secret(const config::ConfigSet& config, const std::string& credential, const std::string& ns,
                      tls::ServerTlsSettings& out, std::string& ca, std::string& error) {
  const config::Secret* s = find_secret(config, credential, ns);
  if (s == nullptr) {
    error = "Secret " + credential + " (namespace " + ns + ") is not in the config yet";
    return false;
  }
  const std::string* cert = secret_value(*s, {"tls.crt", "cert"});
  const std::string* key = secret_value(*s, {"tls.key", "key"});
  if (cert == nullptr || key == nullptr) {
    error = "Secret " + credential + " has no tls.crt/tls.key (or cert/key)";
    return false;
  }
  out.key_pairs.emplace_back(*cert, *key);
  if (const std::string* c = secret_value(*s, {"ca.crt", "cacert"}); c != nullptr && ca.empty()) ca = *c;
  return true;
}

// caCrl: the file, else `ca.crl` of the Secret the CA came from (Istio's generic-Secret key).
// False with `error` when the file cannot be read.
bool client_crl(const config::ServerTLSSettings& t, const std::string& yaml_file, const config::ConfigSet& config,
                const std::string& ns, std::string& crl, std::string& error) {
  if (!t.ca_crl.empty()) return read_pem_file(t.ca_crl, yaml_file, crl, error);
  for (const std::string& name : {t.ca_cert_credential_name, t.credential_name + "-cacert", t.credential_name}) {
    if (name.empty() || name == "-cacert") continue;
    if (const config::Secret* s = find_secret(config, name, ns))
      if (const std::string* v = secret_value(*s, {"ca.crl"})) {
        crl = *v;
        return true;
      }
  }
  return true;
}

bool ca_from_secret(const config::ConfigSet& config, const std::string& credential, const std::string& ns,
                    std::string& ca) {
  const config::Secret* s = find_secret(config, credential, ns);
  if (s == nullptr) return false;
  if (const std::string* c = secret_value(*s, {"ca.crt", "cacert"})) ca = *c;
  return !ca.empty();
}

bool certificates(const config::ServerTLSSettings& t, const std::string& yaml_file, const config::ConfigSet& config,
                  const std::string& ns, tls::ServerTlsSettings& out, std::string& ca, std::string& error) {
  std::vector<std::string> credentials = t.credential_names;
  if (!t.credential_name.empty()) credentials.insert(credentials.begin(), t.credential_name);
  for (const auto& c : credentials)
    if (!pair_from_secret(config, c, ns, out, ca, error)) return false;
  std::vector<config::ServerTLSSettings::Certificate> files = t.tls_certificates;
  if (!t.server_certificate.empty()) files.push_back({t.server_certificate, t.private_key, t.ca_certificates});
  for (const auto& f : files) {
    std::string cert, key;
    if (!read_pem_file(f.server_certificate, yaml_file, cert, error) ||
        !read_pem_file(f.private_key, yaml_file, key, error))
      return false;
    out.key_pairs.emplace_back(std::move(cert), std::move(key));
    if (!f.ca_certificates.empty() && ca.empty() && !read_pem_file(f.ca_certificates, yaml_file, ca, error))
      return false;
  }
  if (!t.ca_certificates.empty() && ca.empty() && !read_pem_file(t.ca_certificates, yaml_file, ca, error)) return false;
  if (out.key_pairs.empty()) {
    error = "no certificate configured";
    return false;
  }
  return true;
}

}  // namespace

ResolvedServerTls resolve_server_tls(const config::ServerTLSSettings& t, const std::string& yaml_file,
                                     const config::ConfigSet& config, const std::string& proxy_namespace,
                                     const WorkloadIdentity& workload) {
  ResolvedServerTls r;
  tls::ServerTlsSettings& s = r.settings;
  s.client_auth = t.mode == Mode::kMutual || t.mode == Mode::kIstioMutual
                      ? tls::ServerTlsSettings::ClientAuth::kRequired
                  : t.mode == Mode::kOptionalMutual ? tls::ServerTlsSettings::ClientAuth::kOptional
                                                    : tls::ServerTlsSettings::ClientAuth::kNone;
  if (auto v = tls::protocol_version(t.min_protocol_version, TLS1_2_VERSION)) s.min_version = *v;
  if (auto v = tls::protocol_version(t.max_protocol_version, TLS1_3_VERSION)) s.max_version = *v;
  for (const auto& c : t.cipher_suites) s.cipher_list += (s.cipher_list.empty() ? "" : ":") + c;
  for (const auto& g : t.ecdh_curves) s.groups += (s.groups.empty() ? "" : ":") + g;
  s.client_rules = tls::PeerRules{t.subject_alt_names, t.verify_certificate_spki, t.verify_certificate_hash};
  if (t.mode == Mode::kIstioMutual) {
    // Validation refuses certificates of its own on ISTIO_MUTUAL: only the workload's apply.
    if (!workload.usable()) {
      r.error = workload.error;
      return r;
    }
    s.key_pairs.emplace_back(workload.cert_pem, workload.key_pem);
    s.client_ca_pem = workload.ca_pem;
    return r;
  }
  std::string ca;
  if (!certificates(t, yaml_file, config, proxy_namespace, s, ca, r.error)) return r;
  if (s.client_auth != tls::ServerTlsSettings::ClientAuth::kNone) {
    // The CA: the credential's own ca.crt, caCertificates, caCertCredentialName, or NAME-cacert.
    if (!t.ca_cert_credential_name.empty()) {
      ca.clear();
      ca_from_secret(config, t.ca_cert_credential_name, proxy_namespace, ca);
    } else if (ca.empty() && !t.credential_name.empty()) {
      ca_from_secret(config, t.credential_name + "-cacert", proxy_namespace, ca);
    }
    if (ca.empty()) {
      r.error =
          "no CA for client certificates (ca.crt in the Secret, a NAME-cacert Secret, caCertCredentialName or "
          "caCertificates)";
      return r;
    }
    s.client_ca_pem = std::move(ca);
    if (!client_crl(t, yaml_file, config, proxy_namespace, s.client_crl_pem, r.error)) return r;
    if (!s.client_crl_pem.empty()) r.error = tls::check_revocation_lists(s.client_crl_pem);
  }
  return r;
}

}  // namespace sy::snapshot
