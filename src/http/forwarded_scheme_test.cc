#include "http/forwarded_scheme.h"

#include <gtest/gtest.h>

namespace sy::http {
namespace {

// Scenario: the scheme is the connection's unless a trusted proxy in front says otherwise.
TEST(ForwardedScheme, Table) {
  struct Case {
    std::vector<std::string> xfp;
    bool tls;
    uint32_t trusted;
    std::string_view want;
  };
  const Case cases[] = {
      {{}, false, 0, "http"},
      {{}, true, 0, "https"},
      {{"https"}, false, 0, "http"},  // an untrusted client cannot claim https
      {{"http"}, true, 0, "https"},
      {{"https"}, false, 1, "https"},  // behind one trusted proxy
      {{"HTTPS"}, false, 1, "https"},
      {{"http"}, true, 1, "http"},
      {{"ftp"}, false, 1, "http"},  // nonsense falls back to the connection
      {{"http, https"}, false, 1, "https"},
      {{"https", "http"}, false, 1, "http"},  // the last value is the nearest proxy's
      {{}, false, 2, "http"},
  };
  for (const Case& c : cases) {
    HeaderMap h;
    for (const auto& v : c.xfp) h.add("X-Forwarded-Proto", v);
    EXPECT_EQ(forwarded_scheme(h, c.tls, c.trusted), c.want) << (c.xfp.empty() ? "-" : c.xfp[0]);
  }
}

}  // namespace
}  // namespace sy::http
