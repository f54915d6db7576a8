// ISTIO_MUTUAL origination for a cluster, as pilot builds it (cluster_tls.go): the proxy's
// workload certificate as the client certificate, the mesh's roots as trust, SNI = the
// DestinationRule's `sni` or else the cluster's name in SNI form (outbound_.PORT_.SUBSET_.HOST,
// which is what an Istio sidecar's inbound and an east-west gateway's AUTO_PASSTHROUGH match on),
// ALPN "istio" (Istio's in-mesh marker; without metadata exchange), and the peer checked against
// `subjectAltNames` (the DestinationRule's, else the ServiceEntry's) when there are any — else
// against the mesh's roots alone. Pure apart from what `workload` already holds.
#pragma once

#include <string>
#include <vector>

#include "snapshot/workload_identity.h"
#include "tls/client_tls.h"

namespace sy::snapshot {

// Istio's SNI form of a cluster: "outbound_.9080_.v1_.reviews.default.svc.cluster.local".
std::string istio_cluster_sni(uint32_t port, const std::string& subset, const std::string& host);

// False with `error` when the workload identity is unusable.
bool istio_mutual_settings(const WorkloadIdentity& workload, const std::string& sni,
                           const std::vector<std::string>& subject_alt_names, tls::ClientTlsSettings& out,
                           std::string& error);

}  // namespace sy::snapshot
