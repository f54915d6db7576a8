#include "snapshot/service_identities.h"

#include <gtest/gtest.h>

namespace sy::snapshot {
namespace {

// Scenario: a service's identities are its endpoints' service accounts in SPIFFE form (in the
// ServiceEntry's namespace and the mesh's trust domain) plus its subjectAltNames, sorted, once each.
TEST(ServiceIdentities, FromEndpointsAndSubjectAltNames) {
  struct Case {
    std::string name;
    std::vector<std::string> accounts;  // one endpoint each; "" = none set
    std::vector<std::string> sans;
    std::string trust_domain;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {"no accounts, no SANs", {"", ""}, {}, "cluster.local", {}},
      {"one account", {"reviews"}, {}, "cluster.local", {"spiffe://cluster.local/ns/shop/sa/reviews"}},
      {"accounts deduplicated and sorted",
       {"reviews", "details", "reviews", ""},
       {},
       "cluster.local",
       {"spiffe://cluster.local/ns/shop/sa/details", "spiffe://cluster.local/ns/shop/sa/reviews"}},
      {"SANs kept as written, with the accounts",
       {"reviews"},
       {"spiffe://other.domain/ns/x/sa/y", "reviews.example.com"},
       "cluster.local",
       {"reviews.example.com", "spiffe://cluster.local/ns/shop/sa/reviews", "spiffe://other.domain/ns/x/sa/y"}},
      {"the trust domain given", {"reviews"}, {}, "corp.example", {"spiffe://corp.example/ns/shop/sa/reviews"}},
  };
  for (const Case& c : cases) {
    std::vector<config::WorkloadEntrySpec> specs(c.accounts.size());
    std::vector<const config::WorkloadEntrySpec*> workloads;
    for (size_t i = 0; i < specs.size(); ++i) {
      specs[i].service_account = c.accounts[i];
      workloads.push_back(&specs[i]);
    }
    EXPECT_EQ(service_identities(workloads, "shop", c.trust_domain, c.sans), c.want) << c.name;
  }
}

}  // namespace
}  // namespace sy::snapshot
