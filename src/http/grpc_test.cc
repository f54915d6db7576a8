#include "http/grpc.h"

#include <gtest/gtest.h>

namespace sy::http {
namespace {

HeaderMap with(std::string_view name, std::string_view value) {
  HeaderMap h;
  h.add(name, value);
  return h;
}

TEST(Grpc, RequestIsGrpcByContentType) {
  struct Case {
    std::string_view content_type;
    bool grpc;
  } cases[] = {
      {"application/grpc", true},           {"application/grpc+proto", true}, {"Application/GRPC+json", true},
      {"application/grpc;charset=x", true}, {"application/grpc-web", false},  {"application/grpc-web-text", false},
      {"application/json", false},          {"application/grp", false},       {"", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(c.grpc, is_grpc_request(with("content-type", c.content_type))) << c.content_type;
  EXPECT_FALSE(is_grpc_request(HeaderMap()));
}

TEST(Grpc, StatusFromHeaders) {
  EXPECT_EQ(14, grpc_status(with("grpc-status", "14")));
  EXPECT_EQ(0, grpc_status(with("grpc-status", "0")));
  for (std::string_view bad : {"", "x", "-1", "1 ", "99999999"})
    EXPECT_FALSE(grpc_status(with("grpc-status", bad))) << bad;
  EXPECT_FALSE(grpc_status(HeaderMap()));
}

TEST(Grpc, HttpStatusMapping) {
  struct Case {
    int http, grpc;
  } cases[] = {{400, 13}, {401, 16}, {403, 7}, {404, 12}, {429, 14}, {502, 14},
               {503, 14}, {504, 14}, {500, 2}, {200, 2},  {418, 2}};
  for (const auto& c : cases) EXPECT_EQ(c.grpc, grpc_status_from_http(c.http)) << c.http;
}

TEST(Grpc, TimeoutUnits) {
  using namespace std::chrono;
  struct Case {
    std::string_view text;
    std::optional<nanoseconds> want;
  } cases[] = {
      {"1H", hours(1)},
      {"2M", minutes(2)},
      {"3S", seconds(3)},
      {"100m", milliseconds(100)},
      {"7u", microseconds(7)},
      {"9n", nanoseconds(9)},
      {"99999999S", seconds(99999999)},
      {"123456789S", std::nullopt},  // more than 8 digits
      {"S", std::nullopt},
      {"10", std::nullopt},
      {"10s", std::nullopt},
      {"-1S", std::nullopt},
      {"", std::nullopt},
      {" 1S", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(c.want, parse_grpc_timeout(c.text)) << c.text;
}

TEST(Grpc, MessageIsPercentEncoded) {
  EXPECT_EQ("no healthy upstream", encode_grpc_message("no healthy upstream"));
  EXPECT_EQ("100%25 %0Anew", encode_grpc_message("100% \nnew"));
  EXPECT_EQ("caf%C3%A9", encode_grpc_message("caf\xc3\xa9"));
}

}  // namespace
}  // namespace sy::http
