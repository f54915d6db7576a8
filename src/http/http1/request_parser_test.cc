#include "http/http1/request_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "http/http1/feed_harness.h"

namespace sy::http::h1 {
namespace {

using testing::feed;

constexpr std::string_view kBrowserGet =
    "GET /products/42?ref=home HTTP/1.1\r\n"
    "Host: shop.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
    "Accept: text/html,application/xhtml+xml\r\n"
    "Accept: */*\r\n"
    "Cookie: a=1; b=2\r\n"
    "\r\n";

// Scenario: a whole request in one buffer and the same request one byte at a time (and in every
// other piece size) produce the same head.
TEST(RequestParser, AnyChunkingGivesSameHead) {
  for (std::size_t step : {0, 1, 2, 3, 7, 16, 64}) {
    RequestParser p;
    auto r = feed(p, kBrowserGet, step);
    ASSERT_EQ(r.error, ParseError::None) << step;
    ASSERT_EQ(r.heads.size(), 1u) << step;
    EXPECT_EQ(r.done, 1) << step;
    const RequestHead& h = r.heads[0];
    EXPECT_EQ(h.method, Method::Get);
    EXPECT_EQ(h.method_name, "GET");
    EXPECT_EQ(h.target, "/products/42?ref=home");
    EXPECT_EQ(h.path, "/products/42?ref=home");
    EXPECT_EQ(h.authority, "shop.example.com");
    EXPECT_EQ(h.target_form, TargetForm::Origin);
    EXPECT_EQ(h.version, Version::Http11);
    EXPECT_EQ(h.framing, BodyFraming::None);
    EXPECT_TRUE(h.keep_alive);
    EXPECT_FALSE(h.upgrade);
    EXPECT_EQ(h.headers.size(), 5u);
    EXPECT_EQ(h.headers.get("user-agent"), "Mozilla/5.0 (X11; Linux x86_64)");
    std::string accepts;
    for (auto v : h.headers.values("ACCEPT")) accepts.append(v).append("|");
    EXPECT_EQ(accepts, "text/html,application/xhtml+xml|*/*|");
    EXPECT_TRUE(r.leftover.empty());
  }
}

// Scenario: three pipelined requests (GET, POST with a body, GET) in one buffer and byte by byte.
TEST(RequestParser, Pipelined) {
  const std::string wire =
      "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
      "\r\n"  // a stray CRLF after a body is tolerated (RFC 9112 section 2.2)
      "GET /c HTTP/1.1\r\nHost: h\r\n\r\n";
  for (std::size_t step : {0, 1, 5}) {
    RequestParser p;
    auto r = feed(p, wire, step);
    ASSERT_EQ(r.error, ParseError::None) << step;
    ASSERT_EQ(r.heads.size(), 3u) << step;
    EXPECT_EQ(r.done, 3);
    EXPECT_EQ(r.heads[0].path, "/a");
    EXPECT_EQ(r.heads[1].path, "/b");
    EXPECT_EQ(r.heads[1].framing, BodyFraming::ContentLength);
    EXPECT_EQ(r.heads[1].content_length, 5u);
    EXPECT_EQ(r.bodies[1], "hello");
    EXPECT_EQ(r.heads[2].path, "/c");
  }
}

// Scenario: a chunked upload with extensions and trailers is decoded; extensions vanish and
// trailers are collected at Done.
TEST(RequestParser, ChunkedWithExtensionsAndTrailers) {
  const std::string wire =
      "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "6 ; quoted=\"a b\"\r\n world\r\n"
      "0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n";
  for (std::size_t step : {0, 1, 4}) {
    RequestParser p;
    auto r = feed(p, wire, step);
    ASSERT_EQ(r.error, ParseError::None) << step;
    ASSERT_EQ(r.heads.size(), 1u);
    EXPECT_EQ(r.heads[0].framing, BodyFraming::Chunked);
    EXPECT_FALSE(r.heads[0].content_length.has_value());
    EXPECT_EQ(r.bodies[0], "hello world");
    EXPECT_EQ(r.done, 1);
    EXPECT_EQ(r.trailers[0], "X-Checksum: abc;X-Other: 1;");
  }
}

// Scenario: body bytes are views into the caller's buffer, handed out without copying.
TEST(RequestParser, BodyIsViewIntoInput) {
  RequestParser p;
  const std::string wire = "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET";
  ParseStep s = p.parse(wire);
  ASSERT_EQ(s.event, ParseEvent::Head);
  const std::string_view rest = std::string_view(wire).substr(s.consumed);
  s = p.parse(rest);
  ASSERT_EQ(s.event, ParseEvent::Body);
  EXPECT_EQ(s.body, "abc");
  EXPECT_EQ(s.body.data(), rest.data());
  EXPECT_EQ(s.consumed, 3u);
  EXPECT_EQ(p.parse(rest.substr(3)).event, ParseEvent::Done);
}

// Scenario: keep-alive follows the version default and the Connection header.
TEST(RequestParser, KeepAliveSemantics) {
  struct Case {
    const char* wire;
    bool keep_alive;
  } cases[] = {
      {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", false},
      {"GET / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: close\r\n\r\n", false},
  };
  for (const auto& c : cases) {
    RequestParser p;
    auto r = feed(p, c.wire);
    ASSERT_EQ(r.heads.size(), 1u) << c.wire;
    EXPECT_EQ(r.heads[0].keep_alive, c.keep_alive) << c.wire;
  }
}

// Scenario: a request sent to us as to a forward proxy routes by the target's authority.
TEST(RequestParser, AbsoluteFormTarget) {
  struct Case {
    const char* target;
    const char* scheme;
    const char* authority;
    const char* path;
  } cases[] = {
      {"http://api.example.com:8080/v1/items?x=1", "http", "api.example.com:8080", "/v1/items?x=1"},
      {"https://API.example.com/", "https", "API.example.com", "/"},
      {"http://h", "http", "h", "/"},
      {"http://h?q=1", "http", "h", "/?q=1"},
  };
  for (const auto& c : cases) {
    RequestParser p;
    auto r = feed(p, std::string("GET ") + c.target + " HTTP/1.1\r\nHost: ignored\r\n\r\n");
    ASSERT_EQ(r.error, ParseError::None) << c.target;
    const RequestHead& h = r.heads.at(0);
    EXPECT_EQ(h.target_form, TargetForm::Absolute);
    EXPECT_EQ(h.scheme, c.scheme);
    EXPECT_EQ(h.authority, c.authority);
    EXPECT_EQ(h.path, c.path);
    EXPECT_EQ(h.target, c.target);
  }
}

// Scenario: CONNECT uses authority-form; OPTIONS * uses asterisk-form.
TEST(RequestParser, ConnectAndAsterisk) {
  RequestParser p;
  auto r = feed(p,
                "CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n"
                "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(r.error, ParseError::None);
  ASSERT_EQ(r.heads.size(), 2u);
  EXPECT_EQ(r.heads[0].method, Method::Connect);
  EXPECT_EQ(r.heads[0].target_form, TargetForm::Authority);
  EXPECT_EQ(r.heads[0].authority, "db.internal:5432");
  EXPECT_EQ(r.heads[1].target_form, TargetForm::Asterisk);
  EXPECT_EQ(r.heads[1].path, "*");
}

// Scenario: a websocket handshake is flagged as an upgrade; Upgrade without Connection is not.
TEST(RequestParser, WebsocketUpgrade) {
  RequestParser p;
  auto r = feed(p,
                "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
                "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n");
  ASSERT_EQ(r.heads.size(), 2u);
  EXPECT_TRUE(r.heads[0].upgrade);
  EXPECT_TRUE(r.heads[0].websocket);
  EXPECT_EQ(r.done, 2);
  EXPECT_FALSE(r.heads[1].upgrade);
}

// Scenario: Expect: 100-continue is surfaced on HTTP/1.1 and ignored on HTTP/1.0.
TEST(RequestParser, ExpectContinue) {
  RequestParser p;
  auto r = feed(p, "POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_EQ(r.heads.size(), 1u);
  EXPECT_TRUE(r.heads[0].expect_continue);
  EXPECT_EQ(r.bodies[0], "ok");
  RequestParser p10;
  auto r10 = feed(p10, "POST /u HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(r10.heads.size(), 1u);
  EXPECT_FALSE(r10.heads[0].expect_continue);
  EXPECT_EQ(r10.heads[0].content_length, 0u);
  EXPECT_EQ(r10.heads[0].framing, BodyFraming::None);
}

// Scenario: header sections just under 60 KiB pass; over it fail with the 431-class error, even
// when fed byte by byte (the caller never buffers much more than the limit).
TEST(RequestParser, HeaderSizeLimit) {
  const auto request_with = [](std::size_t filler) {
    return "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(filler, 'a') + "\r\n\r\n";
  };
  RequestParser ok;
  EXPECT_EQ(feed(ok, request_with(60 * 1024 - 100)).error, ParseError::None);
  for (std::size_t step : {0, 4096}) {
    RequestParser big;
    auto r = feed(big, request_with(61 * 1024), step);
    EXPECT_EQ(r.error, ParseError::HeaderTooLarge) << step;
    EXPECT_EQ(http_status(r.error), 431);
  }
}

// Scenario: more fields than the header map holds is a 431, not a crash or a silent drop.
TEST(RequestParser, TooManyHeaders) {
  std::string wire = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 120; ++i) wire += "X-" + std::to_string(i) + ": v\r\n";
  wire += "\r\n";
  RequestParser p;
  auto r = feed(p, wire);
  EXPECT_EQ(r.error, ParseError::TooManyHeaders);
  EXPECT_EQ(http_status(r.error), 431);
}

// Scenario: the field limit is exact (limit fields pass, one more is 431) and configurable.
TEST(RequestParser, FieldLimitIsExact) {
  struct Case {
    uint32_t limit;
    int fields;  // including Host
    bool ok;
  };
  for (const Case c :
       {Case{100, 100, true}, Case{100, 101, false}, Case{10, 10, true}, Case{10, 11, false}, Case{200, 150, true}}) {
    std::string wire = "GET / HTTP/1.1\r\nHost: h\r\n";
    for (int i = 1; i < c.fields; ++i) wire += "X-" + std::to_string(i) + ": v\r\n";
    wire += "\r\n";
    ParserLimits limits;
    limits.max_fields = c.limit;
    RequestParser p(limits);
    auto r = feed(p, wire);
    EXPECT_EQ(r.error == ParseError::None, c.ok) << c.limit << " " << c.fields;
    if (c.ok) {
      EXPECT_EQ(r.heads.at(0).headers.size(), static_cast<size_t>(c.fields));
    }
  }
}

// Scenario: EOF between requests is clean; EOF inside a head or body is a partial message.
TEST(RequestParser, Eof) {
  RequestParser a;
  EXPECT_EQ(feed(a, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 0, true).error, ParseError::None);
  RequestParser b;
  EXPECT_EQ(feed(b, "GET / HTTP/1.1\r\nHo", 0, true).error, ParseError::PartialMessage);
  RequestParser c;
  EXPECT_EQ(feed(c, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\n\r\nab", 0, true).error,
            ParseError::PartialMessage);
}

// Scenario: the head survives take_head() and moves; its views point into its own storage.
TEST(RequestParser, TakeHeadOwnsItsBytes) {
  RequestParser p;
  std::string wire = "GET /own HTTP/1.1\r\nHost: mine\r\nX-A: 1\r\n\r\n";
  ASSERT_EQ(p.parse(wire).event, ParseEvent::Head);
  RequestHead h = p.take_head();
  wire.assign(wire.size(), 'z');  // scribble over the input
  RequestHead moved = std::move(h);
  EXPECT_EQ(moved.path, "/own");
  EXPECT_EQ(moved.authority, "mine");
  EXPECT_EQ(moved.headers.get("x-a"), "1");
  RequestHead copy = moved.clone();
  moved.headers.clear();
  EXPECT_EQ(copy.method_name, "GET");
  EXPECT_EQ(copy.headers.get("host"), "mine");
}

}  // namespace
}  // namespace sy::http::h1
