#include "tls/certificate.h"

#include <gtest/gtest.h>

#include "tls/test_certificates.h"

namespace sy::tls {
namespace {

// Scenario: a rotated certificate is refused for each way it can be broken, and accepted when whole.
TEST(Certificate, CheckKeyPair) {
  const auto [cert, key] = testing::self_signed("a.example.com");
  const auto [other_cert, other_key] = testing::self_signed("b.example.com");
  const auto [expired_cert, expired_key] = testing::self_signed("old.example.com", -1);
  struct Case {
    const char* name;
    std::string cert, key;
    std::string problem;  // "" = accepted
  };
  const Case cases[] = {
      {"whole", cert, key, ""},
      {"key of another certificate", cert, other_key, "private key does not match the certificate"},
      {"expired", expired_cert, expired_key, "certificate has expired"},
      {"not PEM", "hello", key, "certificate is not a PEM certificate"},
      {"key not PEM", cert, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
       "private key is not a PEM private key (or is encrypted)"},
      {"no key", cert, "", "no private key"},
      {"no certificate", "", key, "no certificate"},
  };
  for (const Case& c : cases) EXPECT_EQ(check_key_pair(c.cert, c.key, std::time(nullptr)), c.problem) << c.name;
  EXPECT_EQ(check_ca_bundle(cert), "");
  EXPECT_EQ(check_ca_bundle("junk"), "CA bundle holds no PEM certificate");
}

}  // namespace
}  // namespace sy::tls
