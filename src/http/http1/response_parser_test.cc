#include "http/http1/response_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "http/http1/feed_harness.h"

namespace sy::http::h1 {
namespace {

using testing::feed;

// Scenario: body framing of responses, each case whole and byte by byte.
TEST(ResponseParser, Framing) {
  struct Case {
    const char* name;
    Method method;
    std::string wire;
    bool eof;
    int status;
    BodyFraming framing;
    std::string body;
    bool keep_alive;
  } cases[] = {
      {"content-length", Method::Get, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, 200,
       BodyFraming::ContentLength, "hello", true},
      {"chunked", Method::Get, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n0\r\n\r\n", false,
       200, BodyFraming::Chunked, "abc", true},
      {"head has no body", Method::Head, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", false, 200,
       BodyFraming::None, "", true},
      {"204", Method::Get, "HTTP/1.1 204 No Content\r\n\r\n", false, 204, BodyFraming::None, "", true},
      {"304 with length", Method::Get, "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", false, 304,
       BodyFraming::None, "", true},
      {"close-delimited", Method::Get, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nstream until close", true,
       200, BodyFraming::UntilClose, "stream until close", false},
      {"http/1.0 close-delimited", Method::Get, "HTTP/1.0 200 OK\r\n\r\nold", true, 200, BodyFraming::UntilClose, "old",
       false},
      {"connection close", Method::Get, "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno",
       false, 404, BodyFraming::ContentLength, "no", false},
      {"empty reason", Method::Get, "HTTP/1.1 500 \r\nContent-Length: 0\r\n\r\n", false, 500, BodyFraming::None, "",
       true},
  };
  for (const auto& c : cases) {
    for (std::size_t step : {0, 1}) {
      ResponseParser p;
      p.expect_response_to(c.method);
      auto r = feed(p, c.wire, step, c.eof);
      ASSERT_EQ(r.error, ParseError::None) << c.name << " " << to_string(r.error);
      ASSERT_EQ(r.heads.size(), 1u) << c.name;
      EXPECT_EQ(r.done, 1) << c.name << " step " << step;
      EXPECT_EQ(r.heads[0].status, c.status) << c.name;
      EXPECT_EQ(r.heads[0].framing, c.framing) << c.name;
      EXPECT_EQ(r.bodies[0], c.body) << c.name;
      EXPECT_EQ(r.heads[0].keep_alive, c.keep_alive) << c.name;
    }
  }
}

// Scenario: HEAD response keeps the Content-Length it announced, so it can be forwarded as-is.
TEST(ResponseParser, HeadKeepsAnnouncedLength) {
  ResponseParser p;
  p.expect_response_to(Method::Head);
  auto r = feed(p, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n");
  ASSERT_EQ(r.heads.size(), 2u);  // the second response is parsed as another HEAD reply
  EXPECT_EQ(r.heads[0].content_length, 1234u);
  EXPECT_EQ(r.bodies[0], "");
}

// Scenario: 100 Continue, then the final response, on one connection.
TEST(ResponseParser, ContinueThenFinal) {
  for (std::size_t step : {0, 1}) {
    ResponseParser p;
    p.expect_response_to(Method::Post);
    auto r = feed(p, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", step);
    ASSERT_EQ(r.error, ParseError::None);
    ASSERT_EQ(r.heads.size(), 2u);
    EXPECT_TRUE(r.heads[0].informational());
    EXPECT_EQ(r.heads[0].framing, BodyFraming::None);
    EXPECT_EQ(r.heads[1].status, 201);
    EXPECT_EQ(r.bodies[1], "ok");
    EXPECT_EQ(r.done, 2);
  }
}

// Scenario: 101 ends HTTP on the connection; the bytes after it are left for the tunnel.
TEST(ResponseParser, SwitchingProtocols) {
  ResponseParser p;
  const std::string wire =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello";
  ParseStep s = p.parse(wire);
  ASSERT_EQ(s.event, ParseEvent::Head);
  EXPECT_TRUE(p.head().upgrade);
  EXPECT_EQ(p.head().status, 101);
  EXPECT_EQ(p.parse(std::string_view(wire).substr(s.consumed)).event, ParseEvent::Done);
  EXPECT_EQ(wire.substr(s.consumed), "\x81\x05hello");
}

// Scenario: a 200 to CONNECT opens a tunnel even without length headers; a 407 does not.
TEST(ResponseParser, ConnectTunnel) {
  ResponseParser p;
  p.expect_response_to(Method::Connect);
  ParseStep s = p.parse("HTTP/1.1 200 Connection Established\r\n\r\nraw bytes");
  ASSERT_EQ(s.event, ParseEvent::Head);
  EXPECT_TRUE(p.head().upgrade);
  EXPECT_EQ(p.parse("raw bytes").event, ParseEvent::Done);

  ResponseParser q;
  q.expect_response_to(Method::Connect);
  auto r = feed(q, "HTTP/1.1 407 Proxy Auth\r\nContent-Length: 3\r\n\r\nno!");
  ASSERT_EQ(r.heads.size(), 1u);
  EXPECT_FALSE(r.heads[0].upgrade);
  EXPECT_EQ(r.bodies[0], "no!");
}

// Scenario: keep-alive responses back to back on one connection.
TEST(ResponseParser, Sequential) {
  ResponseParser p;
  auto r = feed(p,
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\nX-T: 1\r\n\r\n"
                "HTTP/1.1 204 No Content\r\n\r\n",
                3);
  ASSERT_EQ(r.error, ParseError::None);
  ASSERT_EQ(r.heads.size(), 3u);
  EXPECT_EQ(r.bodies[0], "a");
  EXPECT_EQ(r.bodies[1], "b");
  EXPECT_EQ(r.trailers[1], "X-T: 1;");
  EXPECT_EQ(r.done, 3);
}

// Scenario: broken upstream responses are errors (the proxy answers 502).
TEST(ResponseParser, Errors) {
  struct Case {
    const char* name;
    std::string wire;
    bool eof;
    ParseError want;
  } cases[] = {
      {"garbage", "HTTX/1.1 200 OK\r\n\r\n", false, ParseError::BadStatusLine},
      {"status 99", "HTTP/1.1 099 Low\r\n\r\n", false, ParseError::BadStatusLine},
      {"status 4 digits", "HTTP/1.1 2000 OK\r\n\r\n", false, ParseError::BadStatusLine},
      {"cl and te", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", false,
       ParseError::ContentLengthWithTransferEncoding},
      {"obs-fold", "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\n\r\n", false, ParseError::ObsFold},
      {"truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true, ParseError::PartialMessage},
      {"truncated chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", true,
       ParseError::PartialMessage},
      {"truncated head", "HTTP/1.1 200 OK\r\nContent-", true, ParseError::PartialMessage},
  };
  for (const auto& c : cases) {
    ResponseParser p;
    auto r = feed(p, c.wire, 0, c.eof);
    EXPECT_EQ(r.error, c.want) << c.name << " got " << to_string(r.error);
  }
}

// Scenario: EOF on an idle upstream connection is not an error by itself.
TEST(ResponseParser, EofWhenIdle) {
  ResponseParser p;
  EXPECT_EQ(p.on_eof().event, ParseEvent::NeedMore);
}

}  // namespace
}  // namespace sy::http::h1
