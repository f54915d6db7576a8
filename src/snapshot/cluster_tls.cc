// Upstream TLS for a cluster whose policy originates it (DestinationRule trafficPolicy.tls):
//  - SIMPLE / MUTUAL: CA, client certificate and key from files (relative to the
//    DestinationRule's YAML) or a Secret (credentialName, in the proxy's namespace: tls.crt/tls.key
//    or cert/key, and ca.crt/cacert);
//  - ISTIO_MUTUAL: the proxy's workload identity (istio_mutual.h).
// Unusable material makes the cluster kMissing: its requests get 503 rather than plaintext.
#include "snapshot/compile_context.h"
#include "snapshot/istio_mutual.h"
#include "snapshot/service_identities.h"
#include "snapshot/tls_material.h"

namespace sy::snapshot::detail {

namespace {

using Mode = config::ClientTLSSettings::Mode;

const config::Source& destination_rule_source(const CompileContext& ctx, const Cluster& c) {
  static const config::Source kNoSource;
  for (const auto& dr : ctx.config.destination_rules)
    if (dr.meta.namespace_ + "/" + dr.meta.name == c.destination_rule) return dr.source;
  return kNoSource;
}

// The SAN list Istio checks a mesh upstream against when the DestinationRule names none: the
// service accounts of all the host's workloads plus its ServiceEntry's subjectAltNames
// (service_identities.h). A Kubernetes Service's endpoints carry no service account here.
std::vector<std::string> service_subject_alt_names(const CompileContext& ctx, const Cluster& c) {
  const ServiceInfo* svc = ctx.find_service(c.host);
  if (svc == nullptr || svc->entry == nullptr) return {};
  return service_identities(workloads_of(ctx, *svc->entry), svc->namespace_, ctx.options.trust_domain,
                            svc->entry->subject_alt_names);
}

// SIMPLE / MUTUAL material from the Secret and the files. False with `error` when unusable.
bool configured_material(const CompileContext& ctx, const policy::TlsOriginationPolicy& t, const std::string& dr_file,
                         tls::ClientTlsSettings& s, std::string& error) {
  s.sni = t.sni;
  s.subject_alt_names = t.subject_alt_names;
  s.insecure_skip_verify = t.insecure_skip_verify;
  if (!t.credential_name.empty()) {
    const config::Secret* secret = find_secret(ctx.config, t.credential_name, ctx.options.proxy_namespace);
    if (secret == nullptr) {
      error = "Secret " + t.credential_name + " is not in the config";
      return false;
    }
    if (const std::string* v = secret_value(*secret, {"ca.crt", "cacert"})) s.ca_pem = *v;
    if (const std::string* v = secret_value(*secret, {"ca.crl"})) s.crl_pem = *v;
    if (t.mode == Mode::kMutual) {
      const std::string* cert = secret_value(*secret, {"tls.crt", "cert"});
      const std::string* key = secret_value(*secret, {"tls.key", "key"});
      if (cert && key) {
        s.cert_pem = *cert;
        s.key_pem = *key;
      }
    }
  }
  if (!t.ca_certificates.empty() && !read_pem_file(t.ca_certificates, dr_file, s.ca_pem, error)) return false;
  // caCrl: revoked upstream certificates (the file, else the Secret's ca.crl).
  if (!t.ca_crl.empty() && !read_pem_file(t.ca_crl, dr_file, s.crl_pem, error)) return false;
  if (t.mode == Mode::kMutual && !t.client_certificate.empty() &&
      !(read_pem_file(t.client_certificate, dr_file, s.cert_pem, error) &&
        read_pem_file(t.private_key, dr_file, s.key_pem, error)))
    return false;
  if (t.mode == Mode::kMutual && s.cert_pem.empty()) {
    error = "MUTUAL needs a client certificate and key";
    return false;
  }
  return true;
}

}  // namespace

void attach_client_tls(CompileContext& ctx, Cluster& c) {
  const policy::TlsOriginationPolicy& t = c.policy.tls;
  if (t.mode != Mode::kSimple && t.mode != Mode::kMutual && t.mode != Mode::kIstioMutual) return;
  const config::Source& source = destination_rule_source(ctx, c);
  tls::ClientTlsSettings s;
  std::string error;
  const bool ok = t.mode == Mode::kIstioMutual
                      ? istio_mutual_settings(
                            ctx.options.workload, t.sni.empty() ? istio_cluster_sni(c.port, c.subset, c.host) : t.sni,
                            t.subject_alt_names.empty() ? service_subject_alt_names(ctx, c) : t.subject_alt_names, s,
                            error)
                      : configured_material(ctx, t, source.file, s, error);
  // An HTTP/2 cluster asks for h2 by ALPN (in the mesh, Istio's istio-h2 first).
  if (c.http2)
    s.alpn = t.mode == Mode::kIstioMutual ? std::vector<std::string>{"istio-h2", "h2"} : std::vector<std::string>{"h2"};
  if (ok) c.tls = tls::ClientTls::make(s, error);
  // The material counts as config: a rotated file makes a new snapshot.
  ctx.snap.content_hash ^= std::hash<std::string>{}(s.ca_pem + s.cert_pem) * 131;
  if (c.tls) return;
  c.discovery = Discovery::kMissing;
  c.missing_reason = "upstream TLS settings unusable (" + error + "); never sent in plaintext";
  ctx.warn("DestinationRule", c.destination_rule, source, "spec.trafficPolicy.tls",
           "cluster " + c.name + ": " + c.missing_reason);
}

}  // namespace sy::snapshot::detail
