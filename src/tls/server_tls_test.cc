#include "tls/server_tls.h"

#include <gtest/gtest.h>

#include "tls/test_certificates.h"

namespace sy::tls {
namespace {

ServerTlsSettings settings_for(const std::string& name) {
  ServerTlsSettings s;
  s.key_pairs.push_back(testing::self_signed(name));
  return s;
}

// Scenario: the server for an SNI is the exact host, then the longest wildcard, then `*`; with no
// `*` server an unknown name or a missing SNI finds none (the handshake is refused).
TEST(ServerTls, FindBySni) {
  ServerTls with_any;
  ASSERT_EQ(with_any.add_server({"api.example.com"}, settings_for("api")), "");  // 0
  ASSERT_EQ(with_any.add_server({"*.example.com"}, settings_for("wild")), "");   // 1
  ASSERT_EQ(with_any.add_server({"*.eu.example.com"}, settings_for("eu")), "");  // 2
  ASSERT_EQ(with_any.add_server({"*"}, settings_for("any")), "");                // 3
  ServerTls without_any;
  ASSERT_EQ(without_any.add_server({"api.example.com", "*.example.com"}, settings_for("x")), "");
  struct Case {
    const ServerTls* tls;
    std::string sni;
    int want;
  };
  const Case cases[] = {
      {&with_any, "api.example.com", 0},  {&with_any, "API.Example.com", 0},
      {&with_any, "www.example.com", 1},  {&with_any, "a.eu.example.com", 2},
      {&with_any, "eu.example.com", 1},   {&with_any, "example.com", 3},
      {&with_any, "other.org", 3},        {&with_any, "", 3},
      {&without_any, "other.org", -1},    {&without_any, "", -1},
      {&without_any, "x.example.com", 0},
  };
  for (const Case& c : cases) EXPECT_EQ(c.tls->find(c.sni), c.want) << c.sni;
}

// Scenario: a server without a usable certificate, or with an unknown cipher, is not added.
TEST(ServerTls, RefusesBrokenSettings) {
  ServerTls tls;
  EXPECT_EQ(tls.add_server({"a"}, ServerTlsSettings{}), "no certificate");
  ServerTlsSettings bad_cipher = settings_for("a");
  bad_cipher.cipher_list = "NOT-A-CIPHER";
  EXPECT_NE(tls.add_server({"a"}, bad_cipher), "");
  ServerTlsSettings mutual_without_ca = settings_for("a");
  mutual_without_ca.client_auth = ServerTlsSettings::ClientAuth::kRequired;
  EXPECT_EQ(tls.add_server({"a"}, mutual_without_ca), "CA bundle holds no PEM certificate");
  EXPECT_TRUE(tls.empty());
}

}  // namespace
}  // namespace sy::tls
