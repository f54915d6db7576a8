#include "proxy/stream_watch.h"

#include <gtest/gtest.h>

namespace sy::proxy {
namespace {

// A client side whose only observable trait here is whether it has gone away.
class FakeDownstream final : public Downstream {
 public:
  explicit FakeDownstream(bool closed) : closed_(closed) {}
  boost::asio::awaitable<BodyPiece> read_body() override { co_return BodyPiece{}; }
  bool body_complete() const override { return true; }
  const http::HeaderMap& request_trailers() const override { return trailers_; }
  boost::asio::awaitable<bool> write_head(http::ResponseHead&) override { co_return true; }
  boost::asio::awaitable<bool> write_body(std::string_view) override { co_return true; }
  boost::asio::awaitable<bool> end_body(const http::HeaderMap*) override { co_return true; }
  boost::asio::awaitable<bool> flush() override { co_return true; }
  bool head_sent() const override { return false; }
  TunnelTransport tunnel_transport(std::string&) override { return {}; }
  const boost::asio::ip::tcp::endpoint& peer() const override { return peer_; }
  boost::asio::ip::tcp::endpoint local() const override { return {}; }
  bool peer_closed() override { return closed_; }
  std::string_view forwarded_client_cert() const override { return {}; }
  void close_after_response() override {}

 private:
  bool closed_;
  http::HeaderMap trailers_;
  boost::asio::ip::tcp::endpoint peer_;
};

// Scenario: a sweep stops exactly the watched forwards whose client left or whose upstream side idled.
TEST(StreamWatch, SweepDecides) {
  using Fired = StreamWatch::Fired;
  struct Case {
    const char* name;
    bool client_closed;
    bool watching;  // an upstream socket is registered
    std::chrono::milliseconds quiet;
    Fired want;
  };
  const Case cases[] = {
      {"busy", false, true, std::chrono::milliseconds(0), Fired::kNone},
      {"client gone", true, true, std::chrono::milliseconds(0), Fired::kClientGone},
      {"idle", false, true, std::chrono::milliseconds(1000), Fired::kIdle},
      {"client gone wins over idle", true, true, std::chrono::milliseconds(1000), Fired::kClientGone},
      {"not watching (no attempt, or a tunnel)", true, false, std::chrono::milliseconds(1000), Fired::kNone},
  };
  boost::asio::io_context io;
  StreamWatchList list(io, std::chrono::milliseconds(1000));
  for (const Case& c : cases) {
    FakeDownstream down(c.client_closed);
    boost::asio::ip::tcp::socket upstream(io);
    StreamWatch watch(list, down);
    if (c.watching) watch.watch(&upstream);
    EXPECT_EQ(list.size(), 1u);
    list.sweep(StreamWatch::Clock::now() + c.quiet);
    EXPECT_EQ(watch.fired(), c.want) << c.name;
  }
  EXPECT_EQ(list.size(), 0u);  // every watch left the list with its forward
}

// Scenario: watches come and go in any order without disturbing the others.
TEST(StreamWatch, ListKeepsOthers) {
  boost::asio::io_context io;
  StreamWatchList list(io, std::chrono::milliseconds(1000));
  FakeDownstream gone(true), alive(false);
  boost::asio::ip::tcp::socket s2(io);
  auto first = std::make_unique<StreamWatch>(list, alive);
  StreamWatch second(list, gone);
  auto third = std::make_unique<StreamWatch>(list, alive);
  second.watch(&s2);
  first.reset();  // removal from the tail and the head
  third.reset();
  EXPECT_EQ(list.size(), 1u);
  list.sweep(StreamWatch::Clock::now());
  EXPECT_EQ(second.fired(), StreamWatch::Fired::kClientGone);
}

}  // namespace
}  // namespace sy::proxy
