#include "snapshot/service_identities.h"

#include <algorithm>

namespace sy::snapshot {

std::string spiffe_identity(std::string_view trust_domain, std::string_view ns, std::string_view account) {
  std::string out = "spiffe://";
  out.append(trust_domain).append("/ns/").append(ns).append("/sa/").append(account);
  return out;
}

std::vector<std::string> service_identities(const std::vector<const config::WorkloadEntrySpec*>& workloads,
                                            std::string_view ns, std::string_view trust_domain,
                                            const std::vector<std::string>& subject_alt_names) {
  std::vector<std::string> out = subject_alt_names;
  for (const config::WorkloadEntrySpec* w : workloads)
    if (!w->service_account.empty()) out.push_back(spiffe_identity(trust_domain, ns, w->service_account));
  // istiod keeps a set and hands it out sorted; the order does not change what is accepted.
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace sy::snapshot
