#include "http/status.h"

#include <gtest/gtest.h>

namespace sy::http {
namespace {

// Scenario: reason phrases for known, and a fallback for unknown, codes.
TEST(Status, ReasonPhrases) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(503), "Service Unavailable");
  EXPECT_EQ(reason_phrase(799), "Unknown");
  const ResponseHead h = local_response_head(503, 20, true);
  EXPECT_EQ(h.headers.get("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(h.content_length, 20u);
  EXPECT_FALSE(h.keep_alive);
}

}  // namespace
}  // namespace sy::http
