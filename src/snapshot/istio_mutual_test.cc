#include "snapshot/istio_mutual.h"

#include <gtest/gtest.h>

namespace sy::snapshot {
namespace {

// Scenario: the SNI of a cluster as Istio spells it, with and without a subset.
TEST(IstioMutual, ClusterSni) {
  struct Case {
    uint32_t port;
    const char* subset;
    const char* host;
    const char* want;
  } cases[] = {
      {9080, "v1", "reviews.default.svc.cluster.local", "outbound_.9080_.v1_.reviews.default.svc.cluster.local"},
      {80, "", "httpbin.default.svc.cluster.local", "outbound_.80_._.httpbin.default.svc.cluster.local"},
  };
  for (const auto& c : cases) EXPECT_EQ(istio_cluster_sni(c.port, c.subset, c.host), c.want);
}

// Scenario: the workload identity becomes the client certificate and trust; ALPN "istio"; the
// peer is checked by subjectAltNames only; an unusable identity is refused with its reason.
TEST(IstioMutual, Settings) {
  WorkloadIdentity id;
  id.cert_pem = "CERT";
  id.key_pem = "KEY";
  id.ca_pem = "ROOTS";
  id.error.clear();
  tls::ClientTlsSettings s;
  std::string error;
  ASSERT_TRUE(istio_mutual_settings(id, "outbound_.80_._.a", {"spiffe://cluster.local/ns/default/sa/a"}, s, error));
  EXPECT_EQ(s.cert_pem, "CERT");
  EXPECT_EQ(s.key_pem, "KEY");
  EXPECT_EQ(s.ca_pem, "ROOTS");
  EXPECT_EQ(s.sni, "outbound_.80_._.a");
  EXPECT_FALSE(s.verify_sni_name);
  EXPECT_EQ(s.alpn, std::vector<std::string>{"istio"});
  EXPECT_EQ(s.subject_alt_names.size(), 1u);

  WorkloadIdentity missing;
  tls::ClientTlsSettings t;
  EXPECT_FALSE(istio_mutual_settings(missing, "x", {}, t, error));
  EXPECT_NE(error.find("--workload-cert"), std::string::npos) << error;
}

}  // namespace
}  // namespace sy::snapshot
