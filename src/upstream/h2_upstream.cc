#include "upstream/h2_upstream.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <tuple>

namespace sy::upstream {

namespace asio = boost::asio;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {
constexpr size_t kReadSize = 16 * 1024;
constexpr size_t kWriteBatch = 64 * 1024;
}  // namespace

H2Upstream::H2Upstream(asio::io_context& io, PooledConnection conn, const Options& options)
    : io_(io),
      conn_(std::move(conn)),
      options_(options),
      session_(*this, http::h2::ClientLimits{}),
      writer_wake_(io),
      idle_timer_(io),
      write_timer_(io),
      ping_timer_(io) {}

std::shared_ptr<H2Upstream> H2Upstream::start(asio::io_context& io, PooledConnection conn, const Options& options) {
  auto self = std::make_shared<H2Upstream>(io, std::move(conn), options);
  // Each loop holds the connection alive; a forwarder holds it while it uses a stream. Started
  // from the event loop: co_spawn dispatches, and run nested inside the calling coroutine (a
  // forwarder's), Asio 1.81's frame recycling was seen to corrupt its free list.
  asio::post(io, [self, &io] {
    asio::co_spawn(
        io, [self]() { return self->write_loop(); }, asio::detached);
    asio::co_spawn(
        io, [self]() { return self->read_loop(); }, asio::detached);
    asio::co_spawn(
        io, [self]() { return self->idle_watch(); }, asio::detached);
    if (self->options_.ping_interval.count() > 0)
      asio::co_spawn(
          io, [self]() { return self->keepalive(); }, asio::detached);
  });
  return self;
}

bool H2Upstream::usable() const {
  if (dead_ || reading_done_) return false;
  if (Clock::now() >= conn_.close_at) return false;  // maxConnectionDuration: draining
  if (options_.max_requests > 0 && session_.opened() >= options_.max_requests) return false;
  return session_.can_open(options_.max_concurrent_streams);
}

void H2Upstream::finish() {
  if (dead_) return;
  dead_ = true;
  idle_timer_.cancel();
  write_timer_.cancel();
  ping_timer_.cancel();
  session_.abandon();  // every stream's forwarder wakes and sees it closed
  conn_.close();
  writer_wake_.notify();
}

asio::awaitable<void> H2Upstream::read_loop() {
  std::string buf(kReadSize, '\0');
  while (!dead_ && session_.want_read()) {
    boost::system::error_code ec;
    size_t n = 0;
    if (conn_.tls) {
      std::tie(ec, n) = co_await conn_.tls->async_read_some(asio::buffer(buf), kTuple);
    } else {
      std::tie(ec, n) = co_await conn_.socket.async_read_some(asio::buffer(buf), kTuple);
    }
    if (ec || !session_.receive(std::string_view(buf.data(), n))) break;
    last_active_ = Clock::now();
    kick();
  }
  reading_done_ = true;
  finish();
}

// Closes the connection once it has carried no stream for the idle timeout. A timer of its own
// rather than one raced against each read: cancelling a read mid-record would break TLS.
// Closes the connection once it has no streams and has been idle for the idle timeout, or is
// past maxConnectionDuration (it takes no new streams from then on; those in flight finish,
// checked every kDrainCheck).
asio::awaitable<void> H2Upstream::idle_watch() {
  constexpr auto kDrainCheck = std::chrono::milliseconds(250);
  while (!dead_) {
    const auto now = Clock::now();
    auto wake = std::min(last_active_ + options_.idle_timeout, conn_.close_at);
    if (now >= conn_.close_at) wake = now + kDrainCheck;
    idle_timer_.expires_at(wake);
    co_await idle_timer_.async_wait(kTuple);
    if (dead_) break;
    const auto then = Clock::now();
    const bool drained = then >= conn_.close_at || then >= last_active_ + options_.idle_timeout;
    if (session_.active() == 0 && drained) {
      finish();
      break;
    }
    if (session_.active() > 0) last_active_ = then;
  }
}

// http2KeepAlive: a PING every interval; a connection whose peer does not answer within the
// timeout is closed (its streams fail as a connection termination, which retries may cover).
asio::awaitable<void> H2Upstream::keepalive() {
  while (!dead_) {
    ping_timer_.expires_after(options_.ping_interval);
    co_await ping_timer_.async_wait(kTuple);
    if (dead_) break;
    const uint64_t answered = session_.pings_answered();
    session_.ping();
    kick();
    ping_timer_.expires_after(options_.ping_timeout);
    co_await ping_timer_.async_wait(kTuple);
    if (dead_) break;
    if (session_.pings_answered() == answered) {
      finish();
      break;
    }
  }
}

asio::awaitable<void> H2Upstream::write_loop() {
  std::string out;
  while (!dead_) {
    out.clear();
    if (!session_.send(out, kWriteBatch)) break;
    if (out.empty()) {
      co_await writer_wake_.wait();
      continue;
    }
    last_active_ = Clock::now();
    // A write the upstream does not take within the timeout ends the connection; a plain timer
    // handler (no second coroutine raced against the write).
    write_timer_.expires_after(options_.write_timeout);
    write_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      if (auto self = weak.lock(); self && !ec) self->finish();
    });
    boost::system::error_code ec;
    if (conn_.tls) {
      std::tie(ec, std::ignore) = co_await asio::async_write(*conn_.tls, asio::buffer(out), kTuple);
    } else {
      std::tie(ec, std::ignore) = co_await asio::async_write(conn_.socket, asio::buffer(out), kTuple);
    }
    write_timer_.cancel();
    if (ec) break;
  }
  finish();
}

std::shared_ptr<H2Upstream> H2Pool::find(const asio::ip::tcp::endpoint& endpoint, uint64_t pool_key) {
  auto it = conns_.find(Key{endpoint, pool_key});
  if (it == conns_.end()) return nullptr;
  auto& list = it->second;
  std::erase_if(list, [](const std::shared_ptr<H2Upstream>& c) { return c->dead(); });
  for (const auto& c : list)
    if (c->usable()) return c;
  if (list.empty()) conns_.erase(it);
  return nullptr;
}

void H2Pool::add(const asio::ip::tcp::endpoint& endpoint, uint64_t pool_key, std::shared_ptr<H2Upstream> conn) {
  auto& list = conns_[Key{endpoint, pool_key}];
  std::erase_if(list, [](const std::shared_ptr<H2Upstream>& c) { return c->dead(); });
  list.push_back(std::move(conn));
}

std::shared_ptr<H2Pool::Connecting> H2Pool::connecting(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint,
                                                       uint64_t pool_key, bool& mine) {
  auto& slot = connecting_[Key{endpoint, pool_key}];
  mine = slot == nullptr;
  if (mine) slot = std::make_shared<Connecting>(io);
  return slot;
}

void H2Pool::finish_connect(const asio::ip::tcp::endpoint& endpoint, uint64_t pool_key,
                            const std::shared_ptr<Connecting>& attempt, std::shared_ptr<H2Upstream> conn) {
  if (conn) add(endpoint, pool_key, conn);
  attempt->conn = std::move(conn);
  attempt->finished = true;
  attempt->done.cancel();
  auto it = connecting_.find(Key{endpoint, pool_key});
  if (it != connecting_.end() && it->second == attempt) connecting_.erase(it);
}

size_t H2Pool::size() const {
  size_t n = 0;
  for (const auto& [k, list] : conns_) n += list.size();
  return n;
}

}  // namespace sy::upstream
