// The keep-alive client connections of one worker that are parked: idle long enough that their
// coroutine ended and their buffer and parser went back to the worker (http1_connection.h). Each
// keeps only its socket, its listener binding and a pending wait (a one-byte peek on epoll, a
// readability poll on io_uring) that wakes it when the next request arrives. They all share the
// worker's idle timeout, so they expire in the order they parked: one timer per worker sweeps the
// oldest, instead of a timer per connection.
// Worker-local, no locks.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <list>
#include <memory>
#include <vector>

#include "proxy/listener_binding.h"

namespace sy::proxy {

// Called once, on the worker, when a client connection is finally closed (not when it parks).
struct ConnectionClosed {
  void (*fn)(void*) = nullptr;
  void* arg = nullptr;
  void operator()() const {
    if (fn != nullptr) fn(arg);
  }
};

class ParkedConnections {
 public:
  using Clock = std::chrono::steady_clock;
  // Takes over a connection whose next request has arrived (its first byte is readable).
  using Wake = void (*)(void* owner, ListenerBinding, boost::asio::ip::tcp::socket, ConnectionClosed);

  explicit ParkedConnections(boost::asio::io_context& io) : timer_(io) {}
  ParkedConnections(const ParkedConnections&) = delete;
  ParkedConnections& operator=(const ParkedConnections&) = delete;

  // Parks `socket` until its next request (then wake(owner, ...) takes it over) or `deadline`
  // (then it is closed and on_closed called). Deadlines must not decrease from one call to the
  // next (one idle timeout per worker); every call passes the same wake and owner.
  void park(boost::asio::ip::tcp::socket socket, ListenerBinding binding, Clock::time_point deadline,
            ConnectionClosed on_closed, Wake wake, void* owner);
  size_t size() const { return parked_.size(); }

 private:
  // 152 bytes with its list node. The binding is shared: thousands of idle connections of one
  // listener hold one copy (a copy each was 80 bytes, 7% of an idle connection's memory).
  struct Entry {
    boost::asio::ip::tcp::socket socket;
    std::shared_ptr<const ListenerBinding> binding;
    ConnectionClosed on_closed;
    Clock::time_point deadline;
    char byte = 0;
  };
  // The shared copy of `binding`: one of the few listeners' bindings already held, or a new one.
  std::shared_ptr<const ListenerBinding> share(ListenerBinding binding);
  void on_peek(std::list<Entry>::iterator it, const boost::system::error_code& ec, size_t n);
  void arm(Clock::time_point at);
  void sweep();

  std::list<Entry> parked_;  // oldest first
  // Bindings recently parked with, at most kSharedBindings (a worker serves a few listeners;
  // per-connection bindings, with an original destination, are not kept here).
  static constexpr size_t kSharedBindings = 16;
  std::vector<std::shared_ptr<const ListenerBinding>> shared_bindings_;
  boost::asio::steady_timer timer_;
  bool armed_ = false;
  Wake wake_ = nullptr;
  void* owner_ = nullptr;
};

}  // namespace sy::proxy
