#include "session.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <memory>
#include <string>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace demo {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Bounds: request heads up to 64 KiB; bodies are read through a fixed 64 KiB scratch buffer and
// counted, never stored; websocket messages up to 16 MiB.
constexpr std::size_t kHeaderLimit = 64 * 1024;
constexpr std::size_t kScratchSize = 64 * 1024;
constexpr std::size_t kWebsocketMessageMax = 16 * 1024 * 1024;

// Generated bodies are written from one read-only pattern shared by every thread, so a 1 GiB
// response costs no more memory than a small one.
constexpr std::size_t kPatternSize = 256 * 1024;
const std::string& body_pattern() {
  static const std::string pattern = [] {
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789\n";
    std::string p(kPatternSize, '\0');
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = kAlphabet[i % (sizeof kAlphabet - 1)];
    return p;
  }();
  return pattern;
}

// Holds the drain gate open for one request.
class InFlight {
 public:
  explicit InFlight(std::atomic<int>& counter) : counter_(counter) { counter_.fetch_add(1); }
  ~InFlight() { counter_.fetch_sub(1); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<int>& counter_;
};

bool has_no_body(unsigned status) { return status == 204 || status == 304; }

std::string reason_for(unsigned status) {
  auto reason = http::obsolete_reason(http::int_to_status(status));
  return reason == "<unknown-status>" ? std::string("Unknown") : std::string(reason);
}

// How the body of a response is framed.
struct Framing {
  std::uint64_t length = 0;  // ignored when chunked
  bool chunked = false;
};

class Session {
 public:
  Session(tcp::socket socket, Shared& shared) : socket_(std::move(socket)), shared_(shared) {}

  asio::awaitable<void> run();

 private:
  // Serves one request; returns false when the connection must end.
  asio::awaitable<bool> serve_one();
  asio::awaitable<bool> read_body(http::request_parser<http::buffer_body>& parser, std::uint64_t& bytes);
  asio::awaitable<bool> write_all(std::string_view head, std::string_view body);
  asio::awaitable<bool> write_generated(std::uint64_t size, bool chunked);
  asio::awaitable<void> echo_websocket(const http::request<http::buffer_body>& upgrade);

  std::string response_head(unsigned status, std::string_view content_type, Framing framing, bool close) const;
  void reset_connection();
  void log(std::string_view method, std::string_view target, std::string_view outcome) const;

  tcp::socket socket_;
  Shared& shared_;
  beast::flat_buffer buffer_;  // kept across requests: it may hold the next pipelined request
  std::unique_ptr<char[]> scratch_;
  std::uint16_t port_ = 0;
  std::uint64_t conn_id_ = 0;
  std::uint64_t conn_requests_ = 0;
  int version_ = 11;  // HTTP version of the request being served
};

asio::awaitable<void> Session::run() {
  boost::system::error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
  port_ = socket_.local_endpoint(ec).port();
  conn_id_ = shared_.stats.next_connection_id();
  shared_.stats.count_connection();
  while (co_await serve_one()) {
  }
}

asio::awaitable<bool> Session::serve_one() {
  http::request_parser<http::buffer_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(boost::none);  // bodies are counted while streaming, never stored

  auto [ec, n] = co_await http::async_read_header(socket_, buffer_, parser, kTuple);
  if (ec) {
    if (ec != http::error::end_of_stream && ec != asio::error::eof && ec != asio::error::connection_reset &&
        ec != asio::error::operation_aborted) {
      std::string body = error_json("bad request: " + ec.message());
      co_await write_all(response_head(400, "application/json", {body.size(), false}, true), body);
    }
    co_return false;
  }
  ++conn_requests_;
  auto& req = parser.get();
  version_ = static_cast<int>(req.version());
  const std::string method(req.method_string());
  const std::string target(req.target());
  const auto [path, query] = split_target(target);
  const bool is_head = req.method() == http::verb::head;

  if (path == "/websocket" && websocket::is_upgrade(req)) {
    shared_.stats.count_request(Controls{});
    log(method, target, "websocket");
    co_await echo_websocket(req);
    co_return false;
  }
  InFlight gate(shared_.in_flight);

  if (parser.chunked() || parser.content_length().value_or(0) > 0) {
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      if (!co_await write_all("HTTP/1.1 100 Continue\r\n\r\n", {})) co_return false;
    }
  }
  std::uint64_t body_bytes = 0;
  if (!co_await read_body(parser, body_bytes)) co_return false;

  Headers headers;
  for (const auto& field : req) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    headers.emplace_back(std::move(name), std::string(field.value()));
  }
  const bool client_keeps_alive = req.keep_alive();

  // Admin paths first; they are not counted as requests.
  if (path == "/_stats" || path == "/_reset_stats") {
    std::string body;
    unsigned status = 200;
    if (path == "/_stats" && (method == "GET" || is_head)) {
      body = shared_.stats.to_json();
    } else if (path == "/_reset_stats" && method == "POST") {
      shared_.stats.reset();
      body = R"({"reset":true})";
    } else {
      status = 405;
      body = error_json("method not allowed");
    }
    bool close = !client_keeps_alive;
    bool ok = co_await write_all(response_head(status, "application/json", {body.size(), false}, close),
                                 is_head ? std::string_view{} : body);
    co_return ok && !close;
  }

  auto parsed = parse_controls(query, headers);
  if (!parsed.controls) {
    std::string body = error_json(parsed.error);
    log(method, target, "400 (bad control)");
    bool close = !client_keeps_alive;
    bool ok = co_await write_all(response_head(400, "application/json", {body.size(), false}, close),
                                 is_head ? std::string_view{} : body);
    co_return ok && !close;
  }
  const Plan plan = plan_response(*parsed.controls, shared_.stats);

  if (plan.delay.count() > 0) {
    asio::steady_timer timer(socket_.get_executor(), plan.delay);
    co_await timer.async_wait(kTuple);
  }
  if (plan.action == Action::reset) {
    log(method, target, "reset");
    reset_connection();
    co_return false;
  }

  const bool close = plan.close || !client_keeps_alive;
  const bool chunked = plan.chunked && version_ >= 11;
  std::string body;
  std::string head;
  if (has_no_body(plan.status)) {
    head = response_head(plan.status, {}, {0, false}, close);
  } else if (plan.size) {
    head = response_head(plan.status, "application/octet-stream", {*plan.size, chunked}, close);
  } else {
    body = echo_json({shared_.identity, port_, method, path, query, headers, body_bytes, conn_id_, conn_requests_});
    head = response_head(plan.status, "application/json", {body.size(), false}, close);
  }

  if (plan.action == Action::reset_after_headers) {
    co_await write_all(head, {});
    log(method, target, "reset after headers");
    reset_connection();
    co_return false;
  }

  log(method, target, std::to_string(plan.status));
  bool ok;
  if (plan.size && !is_head && !has_no_body(plan.status)) {
    ok = co_await write_all(head, {}) && co_await write_generated(*plan.size, chunked);
  } else {
    ok = co_await write_all(head, is_head ? std::string_view{} : body);
  }
  if (!ok) co_return false;
  if (close) {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> Session::read_body(http::request_parser<http::buffer_body>& parser, std::uint64_t& bytes) {
  if (parser.is_done()) co_return true;
  if (!scratch_) scratch_ = std::make_unique<char[]>(kScratchSize);
  auto& body = parser.get().body();
  while (!parser.is_done()) {
    body.data = scratch_.get();
    body.size = kScratchSize;
    auto [ec, n] = co_await http::async_read(socket_, buffer_, parser, kTuple);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) co_return false;
    bytes += kScratchSize - body.size;
  }
  co_return true;
}

asio::awaitable<bool> Session::write_all(std::string_view head, std::string_view body) {
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body)};
  auto [ec, n] = co_await asio::async_write(socket_, buffers, kTuple);
  co_return !ec;
}

asio::awaitable<bool> Session::write_generated(std::uint64_t size, bool chunked) {
  const std::string& pattern = body_pattern();
  while (size > 0) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, pattern.size()));
    boost::system::error_code ec;
    if (chunked) {
      char line[32];
      int len = std::snprintf(line, sizeof line, "%zx\r\n", n);
      std::array<asio::const_buffer, 3> buffers{asio::buffer(line, static_cast<std::size_t>(len)),
                                                asio::buffer(pattern.data(), n), asio::buffer("\r\n", 2)};
      std::tie(ec, std::ignore) = co_await asio::async_write(socket_, buffers, kTuple);
    } else {
      std::tie(ec, std::ignore) = co_await asio::async_write(socket_, asio::buffer(pattern.data(), n), kTuple);
    }
    if (ec) co_return false;
    size -= n;
  }
  if (chunked) co_return co_await write_all("0\r\n\r\n", {});
  co_return true;
}

// Known limitation: bytes the client sent right behind the upgrade request (before seeing the
// 101) stay in buffer_ and are lost; clients must wait for the handshake, as RFC 6455 says.
asio::awaitable<void> Session::echo_websocket(const http::request<http::buffer_body>& upgrade) {
  websocket::stream<tcp::socket> ws(std::move(socket_));
  ws.set_option(websocket::stream_base::decorator([this](websocket::response_type& res) {
    res.set("x-upstream-name", shared_.identity.name);
    res.set("x-upstream-version", shared_.identity.version);
    res.set("x-upstream-port", std::to_string(port_));
  }));
  ws.read_message_max(kWebsocketMessageMax);
  auto [ec] = co_await ws.async_accept(upgrade, kTuple);
  if (ec) co_return;
  beast::flat_buffer message;
  for (;;) {
    auto [read_ec, n] = co_await ws.async_read(message, kTuple);
    if (read_ec) co_return;  // includes a clean close from the peer
    ws.text(ws.got_text());
    auto [write_ec, m] = co_await ws.async_write(message.data(), kTuple);
    if (write_ec) co_return;
    message.consume(message.size());
  }
}

std::string Session::response_head(unsigned status, std::string_view content_type, Framing framing, bool close) const {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason_for(status) + "\r\n";
  head += "x-upstream-name: " + shared_.identity.name + "\r\n";
  head += "x-upstream-version: " + shared_.identity.version + "\r\n";
  head += "x-upstream-port: " + std::to_string(port_) + "\r\n";
  if (!has_no_body(status)) {
    head += "content-type: ";
    head += content_type;
    head += "\r\n";
    head += framing.chunked ? std::string("transfer-encoding: chunked\r\n")
                            : "content-length: " + std::to_string(framing.length) + "\r\n";
  }
  if (close) {
    head += "connection: close\r\n";
  } else if (version_ < 11) {
    head += "connection: keep-alive\r\n";
  }
  head += "\r\n";
  return head;
}

// SO_LINGER with a zero timeout makes close() send RST instead of FIN.
void Session::reset_connection() {
  boost::system::error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

void Session::log(std::string_view method, std::string_view target, std::string_view outcome) const {
  if (shared_.quiet) return;
  // One fprintf per line keeps lines from different threads whole.
  std::fprintf(stderr, "%s: conn=%llu %.*s %.*s -> %.*s\n", shared_.identity.name.c_str(),
               static_cast<unsigned long long>(conn_id_), static_cast<int>(method.size()), method.data(),
               static_cast<int>(target.size()), target.data(), static_cast<int>(outcome.size()), outcome.data());
}

}  // namespace

asio::awaitable<void> serve_connection(tcp::socket socket, Shared& shared) {
  Session session(std::move(socket), shared);
  co_await session.run();
}

}  // namespace demo
