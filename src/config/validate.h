// Istio config validation for switchyard: per-object checks (what Istio's validating webhook
// rejects) and cross-object analysis (what `istioctl analyze` reports). Pure functions over the
// typed model; callable from any thread, one Diagnostics sink per call.
#pragma once

#include "config/diagnostics.h"
#include "config/model/config_set.h"

namespace sy::config {

// Per-object schema/semantic checks (Istio's validating webhook). Usable alone for per-object
// admission on reload: an object with an error here must not be published.
void validate_gateway(const Gateway&, Diagnostics&);
void validate_virtual_service(const VirtualService&, Diagnostics&);
void validate_destination_rule(const DestinationRule&, Diagnostics&);
void validate_service_entry(const ServiceEntry&, Diagnostics&);
void validate_workload_entry(const WorkloadEntry&, Diagnostics&);
// Certificates in a Secret (tls.crt/tls.key or cert/key, ca.crt/cacert) parse, match and are valid now.
void validate_secret(const Secret&, Diagnostics&);
// Kubernetes Services and EndpointSlices as the API server accepts them (validate_kube_service.cc).
void validate_kube_service(const KubeService&, Diagnostics&);
void validate_endpoint_slice(const EndpointSlice&, Diagnostics&);

// Cross-object analysis (istioctl analyze): references, conflicts, reachability.
// Messages start with the istioctl analyze code where Istio has one (`IST0101 ...`).
void analyze(const ConfigSet&, Diagnostics&);

// Both of the above for every object.
void validate(const ConfigSet&, Diagnostics&);

}  // namespace sy::config
