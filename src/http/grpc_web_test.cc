#include "http/grpc_web.h"

#include <gtest/gtest.h>

namespace sy::http {
namespace {

HeaderMap with_content_type(std::string_view ct) {
  HeaderMap h;
  if (!ct.empty()) h.add("content-type", ct);
  return h;
}

// Scenario: which requests are gRPC-Web, by content-type (parameters and case aside).
TEST(GrpcWeb, Kind) {
  struct Case {
    const char* content_type;
    GrpcWebKind want;
  } cases[] = {
      {"application/grpc-web", GrpcWebKind::kBinary},
      {"application/grpc-web+proto", GrpcWebKind::kBinary},
      {"Application/GRPC-Web+json; charset=utf-8", GrpcWebKind::kBinary},
      {"application/grpc-web-text", GrpcWebKind::kText},
      {"application/grpc-web-text+proto", GrpcWebKind::kText},
      {"application/grpc", GrpcWebKind::kNone},
      {"application/grpc+proto", GrpcWebKind::kNone},
      {"application/grpc-webx", GrpcWebKind::kNone},
      {"text/plain", GrpcWebKind::kNone},
      {"", GrpcWebKind::kNone},
  };
  for (const auto& c : cases) EXPECT_EQ(grpc_web_kind(with_content_type(c.content_type)), c.want) << c.content_type;
}

// Scenario: trailers become the last frame: flag 0x80, big-endian length, lower-case "name:value\r\n".
TEST(GrpcWeb, TrailerFrame) {
  HeaderMap t;
  t.add("Grpc-Status", "0");
  t.add("grpc-message", "ok");
  const std::string payload = "grpc-status:0\r\ngrpc-message:ok\r\n";
  EXPECT_EQ(grpc_web_trailer_frame(t), std::string("\x80\0\0\0", 4) + static_cast<char>(payload.size()) + payload);
  EXPECT_EQ(grpc_web_trailer_frame(HeaderMap()), std::string("\x80\0\0\0\0", 5));
}

// Scenario: base64 of a stream cut at every possible place equals base64 of the whole.
TEST(GrpcWeb, Base64StreamEncoderAnyCut) {
  const std::string data = std::string("\x00\x01\x02\xfe\xff hello gRPC-Web", 20);
  const std::string want = "AAEC/v8gaGVsbG8gZ1JQQy1XZWI=";
  for (size_t a = 0; a <= data.size(); ++a) {
    for (size_t b = a; b <= data.size(); ++b) {
      Base64StreamEncoder enc;
      std::string out;
      enc.encode(std::string_view(data).substr(0, a), out);
      enc.encode(std::string_view(data).substr(a, b - a), out);
      enc.encode(std::string_view(data).substr(b), out);
      enc.finish(out);
      ASSERT_EQ(out, want) << a << "," << b;
    }
  }
}

// Scenario: a gRPC-Web-text request body: cut anywhere, several padded segments, errors.
TEST(GrpcWeb, Base64StreamDecoder) {
  struct Case {
    const char* name;
    std::vector<std::string> pieces;
    bool ok;
    std::string want;
    bool complete;
  } cases[] = {
      {"one piece", {"aGVsbG8="}, true, "hello", true},
      {"cut inside groups", {"aG", "VsbG", "8="}, true, "hello", true},
      {"two padded segments", {"aGk=", "aGk="}, true, "hihi", true},
      {"line breaks ignored", {"aGVs\r\nbG8="}, true, "hello", true},
      {"incomplete group waits", {"aGVsbG"}, true, "hel", false},
      {"bad character", {"aG*s"}, false, "", false},
      {"padding too early", {"a==="}, false, "", false},
  };
  for (const auto& c : cases) {
    Base64StreamDecoder dec;
    std::string out;
    bool ok = true;
    for (const auto& p : c.pieces) ok = ok && dec.decode(p, out);
    EXPECT_EQ(ok, c.ok) << c.name;
    if (!c.ok) continue;
    EXPECT_EQ(out, c.want) << c.name;
    EXPECT_EQ(dec.complete(), c.complete) << c.name;
  }
}

}  // namespace
}  // namespace sy::http
