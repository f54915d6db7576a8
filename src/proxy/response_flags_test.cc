#include "proxy/response_flags.h"

#include <gtest/gtest.h>

namespace sy::proxy {
namespace {

// Scenario: flags print as Envoy's short names in a fixed order, "-" when there are none.
TEST(ResponseFlags, FormatsShortNames) {
  EXPECT_EQ(format_response_flags(0), "-");
  EXPECT_EQ(format_response_flags(kNoRoute), "NR");
  EXPECT_EQ(format_response_flags(kUpstreamRetryLimitExceeded | kUpstreamConnectionFailure), "UF,URX");
  EXPECT_EQ(format_response_flags(kUpstreamOverflow), "UO");
}

}  // namespace
}  // namespace sy::proxy
