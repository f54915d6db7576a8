// The identities an ISTIO_MUTUAL client expects of a service's workloads when the
// DestinationRule names no `subjectAltNames`, as istiod computes them (pilot push_context.go
// initServiceAccounts, serviceentry conversion): every endpoint's `serviceAccount` as
// spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/ACCOUNT, plus the ServiceEntry's `subjectAltNames` as
// written, sorted and without duplicates. One list per service, not per subset or port: every
// cluster of the host checks the same names. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/model/service_entry.h"

namespace sy::snapshot {

// "spiffe://cluster.local/ns/default/sa/reviews".
std::string spiffe_identity(std::string_view trust_domain, std::string_view ns, std::string_view account);

// `ns` is the ServiceEntry's namespace (a WorkloadEntry it selects lives there too).
std::vector<std::string> service_identities(const std::vector<const config::WorkloadEntrySpec*>& workloads,
                                            std::string_view ns, std::string_view trust_domain,
                                            const std::vector<std::string>& subject_alt_names);

}  // namespace sy::snapshot
