#include "http/http1/serializer.h"

#include <gtest/gtest.h>

#include <string>

#include "http/http1/feed_harness.h"
#include "http/status.h"

namespace sy::http::h1 {
namespace {

using testing::feed;

RequestHead parse_one(std::string_view wire) {
  RequestParser p;
  auto r = feed(p, wire);
  EXPECT_EQ(r.error, ParseError::None) << wire;
  return std::move(r.heads.at(0));
}

// Scenario: a proxied request loses its hop-by-hop headers (including the ones Connection names),
// gains Host from the authority, and keeps everything else in order.
TEST(Serializer, RequestDropsHopByHop) {
  RequestHead h = parse_one(
      "GET http://api.example.com/v1?q=1 HTTP/1.1\r\n"
      "Host: stale\r\nConnection: keep-alive, X-Secret\r\nKeep-Alive: timeout=5\r\n"
      "Proxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-T\r\nX-Secret: s\r\n"
      "Upgrade: h2c\r\nAccept: */*\r\nX-Trace: 1\r\n\r\n");
  std::string out;
  append_request_head(h, {}, out);
  EXPECT_EQ(out,
            "GET /v1?q=1 HTTP/1.1\r\n"
            "Host: api.example.com\r\n"
            "Accept: */*\r\nX-Trace: 1\r\n\r\n");
}

// Scenario: chunked in, chunked out; Content-Length in, Content-Length out; close on request.
TEST(Serializer, FramingHeaders) {
  RequestHead chunked = parse_one("POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string out;
  append_request_head(chunked, {}, out);
  EXPECT_EQ(out, "POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");

  RequestHead cl = parse_one("PUT /u HTTP/1.1\r\nContent-Length: 12\r\nHost: h\r\n\r\n");
  out.clear();
  HeadOptions close;
  close.close = true;
  append_request_head(cl, close, out);
  EXPECT_EQ(out, "PUT /u HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\nConnection: close\r\n\r\n");
}

// Scenario: a websocket handshake forwarded as a tunnel keeps Upgrade and says Connection: upgrade.
TEST(Serializer, WebsocketTunnel) {
  RequestHead h = parse_one(
      "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n");
  HeadOptions tunnel;
  tunnel.tunnel = true;
  std::string out;
  append_request_head(h, tunnel, out);
  EXPECT_EQ(out,
            "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
            "Connection: upgrade\r\n\r\n");
}

// Scenario: serialize -> parse gives back the same head, for requests and responses.
TEST(Serializer, RoundTripThroughParser) {
  RequestHead h = parse_one(
      "POST /items?id=7 HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\nX-Multi: a\r\n"
      "X-Multi: b\r\nContent-Length: 2\r\n\r\n");
  h.headers.add("x-added", "yes");
  h.headers.set("content-type", "text/plain");
  std::string wire;
  append_request_head(h, {}, wire);
  wire += "{}";
  RequestParser p;
  auto r = feed(p, wire, 1);
  ASSERT_EQ(r.error, ParseError::None) << wire;
  const RequestHead& back = r.heads.at(0);
  EXPECT_EQ(back.method, Method::Post);
  EXPECT_EQ(back.path, "/items?id=7");
  EXPECT_EQ(back.authority, "shop");
  EXPECT_EQ(back.content_length, 2u);
  EXPECT_EQ(back.headers.get("content-type"), "text/plain");
  EXPECT_EQ(back.headers.count("x-multi"), 2u);
  EXPECT_EQ(back.headers.get("x-added"), "yes");
  EXPECT_EQ(r.bodies[0], "{}");

  ResponseParser rp;
  auto rr = feed(rp, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Up: 1\r\nConnection: close\r\n\r\n0\r\n\r\n");
  ASSERT_EQ(rr.heads.size(), 1u);
  std::string resp;
  append_response_head(rr.heads[0], {}, resp);
  EXPECT_EQ(resp, "HTTP/1.1 200 OK\r\nX-Up: 1\r\nTransfer-Encoding: chunked\r\n\r\n");
}

// Scenario: chunk framing written by us decodes to the original bytes, trailers included.
TEST(Serializer, ChunkEncodingRoundTrip) {
  std::string wire = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string parts[] = {"hello", std::string(300, 'x'), "!"};
  for (const auto& part : parts) {
    wire.append(ChunkPrefix(part.size()).view()).append(part).append(kChunkSuffix);
  }
  HeaderMap trailers;
  trailers.add("X-Digest", "abc");
  trailers.add("Connection", "close");  // hop-by-hop: dropped
  append_last_chunk(trailers, wire);
  EXPECT_NE(wire.find("12c\r\n"), std::string::npos);
  RequestParser p;
  auto r = feed(p, wire, 7);
  ASSERT_EQ(r.error, ParseError::None);
  EXPECT_EQ(r.bodies.at(0), "hello" + std::string(300, 'x') + "!");
  EXPECT_EQ(r.trailers.at(0), "X-Digest: abc;");
  EXPECT_EQ(ChunkPrefix(0xffffffff).view(), "ffffffff\r\n");
}

// Scenario: write_* refuses a too-small buffer without writing, and fits an exact one.
TEST(Serializer, CallerBuffer) {
  RequestHead h = parse_one("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::size_t need = request_head_size(h);
  std::string buf(need, '\0');
  EXPECT_EQ(write_request_head(h, {}, std::span<char>(buf.data(), need - 1)), 0u);
  EXPECT_EQ(write_request_head(h, {}, std::span<char>(buf.data(), need)), need);
  EXPECT_EQ(buf, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
}

// Scenario: a locally generated error response is well formed and parses back.
TEST(Serializer, LocalResponse) {
  const std::string wire = render_local_response(431, {}, true);
  EXPECT_EQ(wire,
            "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
            "Content-Length: 32\r\nConnection: close\r\n\r\nRequest Header Fields Too Large\n");
  ResponseParser p;
  auto r = feed(p, wire);
  ASSERT_EQ(r.heads.size(), 1u);
  EXPECT_EQ(r.heads[0].status, 431);
  EXPECT_FALSE(r.heads[0].keep_alive);
  EXPECT_EQ(r.bodies[0], local_response_body(431));
}

// Scenario: 204 and 1xx never carry framing headers; HEAD replies keep Content-Length.
TEST(Serializer, NoFramingOnBodylessStatuses) {
  ResponseHead r204 = local_response_head(204, 0);
  r204.content_length = 0;
  std::string out;
  append_response_head(r204, {}, out);
  EXPECT_EQ(out.find("Content-Length"), std::string::npos);
  ResponseHead head_reply = local_response_head(200, 0);
  head_reply.framing = BodyFraming::None;
  head_reply.content_length = 99;
  out.clear();
  append_response_head(head_reply, {}, out);
  EXPECT_NE(out.find("Content-Length: 99\r\n"), std::string::npos);
}

}  // namespace
}  // namespace sy::http::h1
