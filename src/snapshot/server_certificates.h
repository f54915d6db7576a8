// Where a Gateway server's certificates come from, resolved into PEM bytes for tls::ServerTls:
//  - credentialName / credentialNames: Secrets of the config (v1 Secret), looked up in the proxy's
//    namespace (`serve --namespace`, as Istio's SDS does), or NAMESPACE/NAME when written so.
//    Keys tls.crt/tls.key or cert/key; the client CA from ca.crt/cacert in the same Secret, a
//    Secret NAME-cacert, or caCertCredentialName;
//  - serverCertificate/privateKey/caCertificates and tlsCertificates: files, relative to the
//    directory of the YAML file that names them.
// Reads files; runs on the control thread while a snapshot compiles.
#pragma once

#include <string>

#include "config/model/config_set.h"
#include "snapshot/workload_identity.h"
#include "tls/server_tls.h"

namespace sy::snapshot {

struct ResolvedServerTls {
  tls::ServerTlsSettings settings;
  std::string error;  // non-empty: the server stays closed (handshakes for its hosts are refused)
};

// ISTIO_MUTUAL: the proxy's workload certificate, and client certificates required and verified
// against the mesh's roots (`workload`), as an Istio gateway does for in-mesh callers.
ResolvedServerTls resolve_server_tls(const config::ServerTLSSettings& t, const std::string& yaml_file,
                                     const config::ConfigSet& config, const std::string& proxy_namespace,
                                     const WorkloadIdentity& workload);

}  // namespace sy::snapshot
