#include "snapshot/istio_mutual.h"

namespace sy::snapshot {

std::string istio_cluster_sni(uint32_t port, const std::string& subset, const std::string& host) {
  return "outbound_." + std::to_string(port) + "_." + subset + "_." + host;
}

bool istio_mutual_settings(const WorkloadIdentity& workload, const std::string& sni,
                           const std::vector<std::string>& subject_alt_names, tls::ClientTlsSettings& out,
                           std::string& error) {
  if (!workload.usable()) {
    error = workload.error;
    return false;
  }
  out.cert_pem = workload.cert_pem;
  out.key_pem = workload.key_pem;
  out.ca_pem = workload.ca_pem;
  out.sni = sni;
  out.subject_alt_names = subject_alt_names;
  out.verify_sni_name = false;
  out.insecure_skip_verify = false;
  out.alpn = {"istio"};
  return true;
}

}  // namespace sy::snapshot
