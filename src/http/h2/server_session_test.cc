#include "http/h2/server_session.h"

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sy::http::h2 {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// A real nghttp2 client on the other end: what it sends is fed to the session under test, and
// what the session sends back is fed to it.
class Client {
 public:
  Client() {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_header_callback(
        cb, [](nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen, const uint8_t* value,
               size_t valuelen, uint8_t, void* ud) {
          auto& self = *static_cast<Client*>(ud);
          auto& fields = frame->headers.cat == NGHTTP2_HCAT_HEADERS ? self.trailers : self.response;
          fields.emplace_back(std::string(reinterpret_cast<const char*>(name), namelen),
                              std::string(reinterpret_cast<const char*>(value), valuelen));
          return 0;
        });
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
        cb, [](nghttp2_session*, uint8_t, int32_t, const uint8_t* data, size_t len, void* ud) {
          static_cast<Client*>(ud)->body.append(reinterpret_cast<const char*>(data), len);
          return 0;
        });
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, [](nghttp2_session*, int32_t, uint32_t code, void* ud) {
      static_cast<Client*>(ud)->closed_with = static_cast<int>(code);
      return 0;
    });
    nghttp2_session_client_new(&session_, cb, this);
    nghttp2_session_callbacks_del(cb);
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  ~Client() { nghttp2_session_del(session_); }

  int32_t request(const Fields& fields, const std::string* body) {
    std::vector<nghttp2_nv> nv;
    for (const auto& [n, v] : fields)
      nv.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(n.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())), n.size(), v.size(), NGHTTP2_NV_FLAG_NONE});
    nghttp2_data_provider provider{};
    if (body) {
      body_out_ = *body;
      provider.read_callback = [](nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                                  nghttp2_data_source*, void* ud) -> ssize_t {
        auto& self = *static_cast<Client*>(ud);
        const size_t n = std::min(length, self.body_out_.size());
        std::memcpy(buf, self.body_out_.data(), n);
        self.body_out_.erase(0, n);
        if (self.body_out_.empty()) *flags |= NGHTTP2_DATA_FLAG_EOF;
        return static_cast<ssize_t>(n);
      };
    }
    return nghttp2_submit_request(session_, nullptr, nv.data(), nv.size(), body ? &provider : nullptr, nullptr);
  }

  std::string take_output() {
    std::string out;
    const uint8_t* data = nullptr;
    for (ssize_t n; (n = nghttp2_session_mem_send(session_, &data)) > 0;)
      out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    return out;
  }
  void receive(const std::string& bytes) {
    nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }

  Fields response, trailers;
  std::string body;
  int closed_with = -1;

 private:
  nghttp2_session* session_ = nullptr;
  std::string body_out_;
};

struct NoEvents final : SessionEvents {
  void stream_event(Stream&) override {}
};

const Fields kGet = {{":method", "GET"}, {":scheme", "https"}, {":authority", "a.example"}, {":path", "/p?q=1"}};

Fields with(Fields base, const Fields& extra) {
  base.insert(base.end(), extra.begin(), extra.end());
  return base;
}

TEST(H2ServerSession, RequestHeads) {
  const std::string body5 = "hello";
  struct Case {
    const char* name;
    Fields fields;
    const std::string* body;
    std::string_view method, path, authority, scheme;
    BodyFraming framing;
    std::optional<uint64_t> length;
    std::string_view cookie;
    bool expect_continue;
  } cases[] = {
      {"GET, no body", kGet, nullptr, "GET", "/p?q=1", "a.example", "https", BodyFraming::None, {}, "", false},
      {"POST with content-length",
       with({{":method", "POST"}, {":scheme", "http"}, {":authority", "b"}, {":path", "/up"}},
            {{"content-length", "5"}}),
       &body5, "POST", "/up", "b", "http", BodyFraming::ContentLength, 5, "", false},
      {"POST of unknown length",
       {{":method", "POST"}, {":scheme", "http"}, {":authority", "b"}, {":path", "/up"}},
       &body5,
       "POST",
       "/up",
       "b",
       "http",
       BodyFraming::Stream,
       {},
       "",
       false},
      {"cookie crumbs joined",
       with(kGet, {{"cookie", "a=1"}, {"cookie", "b=2"}, {"cookie", "c=3"}}),
       nullptr,
       "GET",
       "/p?q=1",
       "a.example",
       "https",
       BodyFraming::None,
       {},
       "a=1; b=2; c=3",
       false},
      {"host when no :authority",
       {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"host", "h.example"}},
       nullptr,
       "GET",
       "/",
       "h.example",
       "http",
       BodyFraming::None,
       {},
       "",
       false},
      {"expect 100-continue",
       with({{":method", "PUT"}, {":scheme", "http"}, {":authority", "b"}, {":path", "/u"}},
            {{"expect", "100-continue"}}),
       &body5,
       "PUT",
       "/u",
       "b",
       "http",
       BodyFraming::Stream,
       {},
       "",
       true},
      {"OPTIONS *",
       {{":method", "OPTIONS"}, {":scheme", "http"}, {":authority", "b"}, {":path", "*"}},
       nullptr,
       "OPTIONS",
       "*",
       "b",
       "http",
       BodyFraming::None,
       {},
       "",
       false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    NoEvents events;
    ServerSession server(events, Limits{});
    Client client;
    client.request(c.fields, c.body);
    ASSERT_TRUE(server.receive(client.take_output()));
    auto requests = server.take_requests();
    ASSERT_EQ(1u, requests.size());
    const RequestHead& h = requests[0]->head;
    EXPECT_EQ(c.method, h.method_name);
    EXPECT_EQ(c.path, h.path);
    EXPECT_EQ(c.authority, h.authority);
    EXPECT_EQ(c.scheme, h.scheme);
    EXPECT_EQ(Version::Http2, h.version);
    EXPECT_EQ(c.length, h.content_length);
    EXPECT_EQ(c.expect_continue, h.expect_continue);
    if (!c.cookie.empty()) {
      EXPECT_EQ(1u, h.headers.count("cookie"));
      EXPECT_EQ(c.cookie, h.headers.get("cookie").value_or(""));
    }
    // The framing is decided when the head completes; a body may already be in the same read.
    EXPECT_EQ(c.framing, h.framing);
    if (c.body) {
      EXPECT_EQ(*c.body, requests[0]->body_in);
    }
    server.release(*requests[0]);
  }
}

TEST(H2ServerSession, ResponseWithBodyAndTrailers) {
  NoEvents events;
  ServerSession server(events, Limits{});
  Client client;
  client.request(kGet, nullptr);
  ASSERT_TRUE(server.receive(client.take_output()));
  Stream& s = *server.take_requests().at(0);
  ResponseHead head;
  head.status = 200;
  head.headers.add("Content-Type", "text/plain");
  head.headers.add("Connection", "keep-alive");  // connection-specific: never sent in HTTP/2
  head.headers.add("Transfer-Encoding", "chunked");
  head.framing = BodyFraming::Stream;
  server.respond(s, head, true);
  server.append_body(s, "part one, ");
  server.append_body(s, "part two");
  HeaderMap trailers;
  trailers.add("grpc-status", "0");
  server.end_body(s, &trailers);
  server.release(s);
  std::string out;
  ASSERT_TRUE(server.send(out, 1 << 20));
  client.receive(out);
  const std::map<std::string, std::string> got(client.response.begin(), client.response.end());
  EXPECT_EQ("200", got.at(":status"));
  EXPECT_EQ("text/plain", got.at("content-type"));  // lowercased
  EXPECT_FALSE(got.contains("connection"));
  EXPECT_FALSE(got.contains("transfer-encoding"));
  EXPECT_EQ("part one, part two", client.body);
  EXPECT_EQ((Fields{{"grpc-status", "0"}}), client.trailers);
  EXPECT_EQ(0, client.closed_with);
  EXPECT_EQ(0u, server.streams());  // closed and released: gone
}

TEST(H2ServerSession, LimitsEndTheConnection) {
  struct Case {
    const char* name;
    Fields fields;
    Violation want;
  } cases[] = {
      {"101 fields",
       [] {
         Fields f = kGet;
         for (int i = 0; i < 97; ++i) f.emplace_back("x-f" + std::to_string(i), "1");
         return f;
       }(),
       Violation::kTooManyHeaders},
      {"header list over 60 KiB", with(kGet, {{"x-a", std::string(31000, 'a')}, {"x-b", std::string(31000, 'b')}}),
       Violation::kHeaderListTooLarge},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    NoEvents events;
    ServerSession server(events, Limits{});
    Client client;
    client.request(c.fields, nullptr);
    EXPECT_FALSE(server.receive(client.take_output()));
    EXPECT_EQ(c.want, server.violation());
    std::string out;
    server.send(out, 1 << 20);
    EXPECT_NE(std::string::npos, out.find(std::string("\x00\x00\x00\x0b", 4)));  // GOAWAY ENHANCE_YOUR_CALM
  }
}

TEST(H2ServerSession, RequestBodyWindowIsGivenBackOnlyWhenConsumed) {
  NoEvents events;
  Limits limits;
  limits.stream_window = 16384;
  ServerSession server(events, limits);
  Client client;
  // SETTINGS first, both ways: until the client has the server's, it may use the default window.
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(server.receive(client.take_output()));
    std::string out;
    server.send(out, 1 << 20);
    client.receive(out);
  }
  const std::string big(100000, 'x');
  client.request(with({{":method", "POST"}, {":scheme", "http"}, {":authority", "b"}, {":path", "/"}}, {}), &big);
  // Exchange until nothing moves: the client can send no more than the stream window.
  for (int round = 0; round < 10; ++round) {
    ASSERT_TRUE(server.receive(client.take_output()));
    std::string out;
    server.send(out, 1 << 20);
    client.receive(out);
  }
  Stream& s = *server.take_requests().at(0);
  EXPECT_EQ(16384u, s.body_in.size());
  server.consume(s, s.body_in.size());
  s.body_in.clear();
  std::string out;
  server.send(out, 1 << 20);
  client.receive(out);
  ASSERT_TRUE(server.receive(client.take_output()));
  EXPECT_EQ(16384u, s.body_in.size());  // exactly one more window
  server.release(s);
}

}  // namespace
}  // namespace sy::http::h2
