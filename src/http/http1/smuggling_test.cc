// Request shapes used for smuggling or desync, each rejected with its own error (RFC 9112
// sections 2.2, 3, 5, 6.1, 6.3, 7.1, 11.2). Every case runs whole and byte by byte.
#include <gtest/gtest.h>

#include <string>

#include "http/http1/feed_harness.h"
#include "http/http1/request_parser.h"

namespace sy::http::h1 {
namespace {

using testing::feed;

struct Case {
  const char* name;
  std::string wire;
  ParseError want;
};

std::string req(const std::string& fields, const std::string& body = "") {
  return "POST /x HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n" + body;
}

const Case kCases[] = {
    // Framing conflicts.
    {"cl then te", req("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
     ParseError::ContentLengthWithTransferEncoding},
    {"te then cl", req("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", "0\r\n\r\n"),
     ParseError::ContentLengthWithTransferEncoding},
    {"differing cl", req("Content-Length: 4\r\nContent-Length: 5\r\n", "abcd"), ParseError::ConflictingContentLength},
    {"differing cl list", req("Content-Length: 4, 5\r\n", "abcd"), ParseError::ConflictingContentLength},
    {"cl not a number", req("Content-Length: 4x\r\n", "abcd"), ParseError::BadContentLength},
    {"cl signed", req("Content-Length: +4\r\n", "abcd"), ParseError::BadContentLength},
    {"cl empty", req("Content-Length: \r\n"), ParseError::BadContentLength},
    {"cl overflow", req("Content-Length: 99999999999999999999999\r\n"), ParseError::BadContentLength},
    {"te gzip", req("Transfer-Encoding: gzip\r\n"), ParseError::BadTransferEncoding},
    {"te chunked not last", req("Transfer-Encoding: chunked, gzip\r\n"), ParseError::BadTransferEncoding},
    {"te gzip, chunked", req("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), ParseError::BadTransferEncoding},
    {"te twice", req("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
     ParseError::BadTransferEncoding},
    {"te xchunked", req("Transfer-Encoding: xchunked\r\n"), ParseError::BadTransferEncoding},
    {"te identity", req("Transfer-Encoding: identity\r\n"), ParseError::BadTransferEncoding},
    {"te on http/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     ParseError::BadTransferEncoding},
    // Chunk framing.
    {"chunk size not hex", req("Transfer-Encoding: chunked\r\n", "zz\r\nhello\r\n0\r\n\r\n"), ParseError::BadChunkSize},
    {"chunk size overflow", req("Transfer-Encoding: chunked\r\n", "1ffffffffffffffff\r\nx\r\n0\r\n\r\n"),
     ParseError::BadChunkSize},
    {"chunk size leading space", req("Transfer-Encoding: chunked\r\n", " 5\r\nhello\r\n0\r\n\r\n"),
     ParseError::BadChunkSize},
    {"chunk data too long", req("Transfer-Encoding: chunked\r\n", "3\r\nhello\r\n0\r\n\r\n"), ParseError::BadChunkSize},
    {"chunk ext garbage", req("Transfer-Encoding: chunked\r\n", "5;=x\r\nhello\r\n0\r\n\r\n"),
     ParseError::BadChunkExtension},
    {"chunk ext bare lf", req("Transfer-Encoding: chunked\r\n", "5\nhello\r\n0\r\n\r\n"),
     ParseError::BadChunkExtension},
    {"chunk ext endless", req("Transfer-Encoding: chunked\r\n", "5;a=" + std::string(8000, 'b')),
     ParseError::BadChunkExtension},
    // Field syntax.
    {"obs-fold", req("X-A: one\r\n two\r\n"), ParseError::ObsFold},
    {"obs-fold after colon", req("X-A:\r\n two\r\n"), ParseError::ObsFold},
    {"obs-fold on cl", req("Content-Length:\r\n 4\r\n", "abcd"), ParseError::ObsFold},
    {"space before colon", req("Content-Length : 4\r\n", "abcd"), ParseError::BadHeaderName},
    {"tab before colon", req("Transfer-Encoding\t: chunked\r\n", "0\r\n\r\n"), ParseError::BadHeaderName},
    {"bad name char", req("X(A): 1\r\n"), ParseError::BadHeaderName},
    {"empty name", req(": 1\r\n"), ParseError::BadHeaderName},
    {"nul in value", req(std::string("X-A: a\0b\r\n", 10)), ParseError::BadHeaderValue},
    {"bare cr in value", req("X-A: a\rb\r\n"), ParseError::BadHeaderValue},
    {"bare lf in field", req("X-A: a\nX-B: b\r\n"), ParseError::BareLf},
    {"bare lf after request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", ParseError::BareLf},
    {"bare lf terminator", "GET / HTTP/1.1\r\nHost: h\n\n", ParseError::BareLf},
    // Request line.
    {"lowercase http", "GET / http/1.1\r\nHost: h\r\n\r\n", ParseError::BadRequestLine},
    {"http/2.0 line", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", ParseError::BadRequestLine},
    {"two spaces", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::BadTarget},
    {"no version", "GET /\r\nHost: h\r\n\r\n", ParseError::BadTarget},
    {"method garbage", "G@T / HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::BadRequestLine},
    {"binary garbage", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), ParseError::BadRequestLine},
    {"target without slash", "GET index.html HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::BadTarget},
    {"target userinfo", "GET http://user@h/ HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::BadTarget},
    {"target odd scheme", "GET ftp://h/ HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::BadTarget},
    {"asterisk on get", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::BadTarget},
    {"connect origin-form", "CONNECT / HTTP/1.1\r\nHost: h\r\n\r\n", ParseError::BadTarget},
    // Host.
    {"missing host", "GET / HTTP/1.1\r\n\r\n", ParseError::MissingHost},
    {"duplicate host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", ParseError::DuplicateHost},
};

// Scenario: each smuggling shape is refused with its distinct error, with a 400.
TEST(Smuggling, EveryShapeIsRejected) {
  for (const Case& c : kCases) {
    for (std::size_t step : {0, 1}) {
      RequestParser p;
      auto r = feed(p, c.wire, step);
      EXPECT_EQ(r.error, c.want) << c.name << " step=" << step << " got " << to_string(r.error);
      EXPECT_EQ(http_status(r.error), 400) << c.name;
    }
  }
}

// Scenario: after an error the parser stays failed; nothing more is parsed on that connection.
TEST(Smuggling, ErrorIsSticky) {
  RequestParser p;
  auto r = feed(p, req("Content-Length: 1\r\nTransfer-Encoding: chunked\r\n"));
  ASSERT_NE(r.error, ParseError::None);
  EXPECT_EQ(p.parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n").event, ParseEvent::Error);
}

// Scenario: accepted near-misses: identical duplicate Content-Length, case-insensitive chunked.
TEST(Smuggling, LegalVariantsPass) {
  const std::string ok[] = {
      req("Content-Length: 4\r\nContent-Length: 4\r\n", "abcd"),
      req("Content-Length: 4, 4\r\n", "abcd"),
      req("Transfer-Encoding: Chunked\r\n", "4\r\nabcd\r\n0\r\n\r\n"),
      req("X-Empty:\r\n"),
      req("X-Utf8: caf\xc3\xa9\r\n"),
  };
  for (const auto& w : ok) {
    RequestParser p;
    auto r = feed(p, w, 1);
    EXPECT_EQ(r.error, ParseError::None) << w;
    EXPECT_EQ(r.done, 1) << w;
  }
}

}  // namespace
}  // namespace sy::http::h1
