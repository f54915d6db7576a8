// A coarse watchdog over the requests a worker is forwarding, for what no per-read deadline
// covers cheaply:
//  - a client that went away while the upstream is still silent: its upstream attempt would hold
//    a connection and a circuit-breaker slot until the upstream answered, if ever;
//  - silence on the upstream side longer than ProxyOptions::stream_idle (Envoy's stream idle
//    timeout) when the route sets no timeout, which is Istio's default.
// One timer per worker sweeps the registered forwards every kSweepEvery (while any exist): a
// request pays an intrusive-list insert and a clock read per upstream read or write, no timer
// operation. When a check fires, the forward's upstream socket is cancelled, so the read or
// write it waits on ends and the forwarder reads why from fired().
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "proxy/downstream.h"

namespace sy::proxy {

class StreamWatch;

class StreamWatchList {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kSweepEvery = std::chrono::milliseconds(500);

  StreamWatchList(boost::asio::io_context& io, std::chrono::milliseconds stream_idle)
      : timer_(io), stream_idle_(stream_idle) {}
  ~StreamWatchList() { timer_.cancel(); }
  StreamWatchList(const StreamWatchList&) = delete;
  StreamWatchList& operator=(const StreamWatchList&) = delete;

  // One pass over every watched forward (the timer calls it; public for tests).
  void sweep(Clock::time_point now);
  size_t size() const { return size_; }

 private:
  friend class StreamWatch;
  void add(StreamWatch& w);
  void remove(StreamWatch& w);
  void arm();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds stream_idle_;
  StreamWatch* head_ = nullptr;
  size_t size_ = 0;
  bool armed_ = false;
};

class StreamWatch {
 public:
  using Clock = StreamWatchList::Clock;
  enum class Fired { kNone, kClientGone, kIdle };

  StreamWatch(StreamWatchList& list, Downstream& down) : list_(list), down_(down) { list_.add(*this); }
  ~StreamWatch() { list_.remove(*this); }
  StreamWatch(const StreamWatch&) = delete;
  StreamWatch& operator=(const StreamWatch&) = delete;

  // The upstream socket the forward now waits on (nullptr: none, or a tunnel, which is not
  // watched). Counts as activity.
  void watch(boost::asio::ip::tcp::socket* upstream) {
    upstream_ = upstream;
    touch();
  }
  // Bytes moved on the upstream side.
  void touch() { last_activity_ = Clock::now(); }
  Fired fired() const { return fired_; }

 private:
  friend class StreamWatchList;
  StreamWatchList& list_;
  Downstream& down_;
  boost::asio::ip::tcp::socket* upstream_ = nullptr;
  Clock::time_point last_activity_ = Clock::now();
  Fired fired_ = Fired::kNone;
  StreamWatch* prev_ = nullptr;
  StreamWatch* next_ = nullptr;
};

}  // namespace sy::proxy
