#include "tls/revocation.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "tls/test_certificates.h"

namespace sy::tls {
namespace {

// A CRL (no revoked entries) issued by a fresh EC key, as PEM.
std::string make_crl() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509_CRL* crl = X509_CRL_new();
  X509_CRL_set_version(crl, 1);
  X509_NAME* issuer = X509_NAME_new();
  X509_NAME_add_entry_by_txt(issuer, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("ca"), -1, -1, 0);
  X509_CRL_set_issuer_name(crl, issuer);
  ASN1_TIME* now = ASN1_TIME_set(nullptr, std::time(nullptr));
  X509_CRL_set1_lastUpdate(crl, now);
  X509_CRL_sign(crl, key, EVP_sha256());
  std::string out = testing::to_pem(crl);
  ASN1_TIME_free(now);
  X509_NAME_free(issuer);
  X509_CRL_free(crl);
  EVP_PKEY_free(key);
  return out;
}

// Scenario: what a caCrl file may hold, as admission judges it.
TEST(Revocation, CheckLists) {
  const std::string crl = make_crl();
  const std::string cert = testing::self_signed("a.example.com").first;
  struct Case {
    const char* name;
    std::string pem;
    const char* error;  // "" = accepted
  } cases[] = {
      {"one CRL", crl, ""},
      {"two CRLs", crl + crl, ""},
      {"empty", "", "no PEM certificate revocation list"},
      {"a certificate is no CRL", cert, "no PEM certificate revocation list"},
      {"broken base64", "-----BEGIN X509 CRL-----\n!!!!\n-----END X509 CRL-----\n", "malformed"},
  };
  for (const auto& c : cases) {
    const std::string got = check_revocation_lists(c.pem);
    if (*c.error == '\0') EXPECT_EQ(got, "") << c.name;
    else EXPECT_NE(got.find(c.error), std::string::npos) << c.name << ": " << got;
  }
}

// Scenario: adding CRLs turns on revocation checking for the whole chain.
TEST(Revocation, AddSetsChainChecking) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  EXPECT_EQ(add_revocation_lists(store.get(), make_crl()), "");
  const unsigned long flags = X509_VERIFY_PARAM_get_flags(X509_STORE_get0_param(store.get()));
  EXPECT_TRUE(flags & X509_V_FLAG_CRL_CHECK);
  EXPECT_TRUE(flags & X509_V_FLAG_CRL_CHECK_ALL);
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> untouched(X509_STORE_new(), X509_STORE_free);
  EXPECT_NE(add_revocation_lists(untouched.get(), "nothing"), "");
  EXPECT_FALSE(X509_VERIFY_PARAM_get_flags(X509_STORE_get0_param(untouched.get())) & X509_V_FLAG_CRL_CHECK);
}

}  // namespace
}  // namespace sy::tls
