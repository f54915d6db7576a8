// A read deadline for a long-lived socket that costs no timer operation per read.
//
// Racing every read against a timer (`read || timer`) arms and cancels a timer and allocates the
// operator's coroutine state on each read: per request, on the hot path. Instead one timer per
// socket stays armed at an instant no later than the current deadline; moving the deadline later
// is a plain store, and when the timer fires early it re-arms itself for the real deadline. Once
// the deadline passes while a read is pending, the socket's operations are cancelled and the read
// completes with operation_aborted.
//
// The timer's handler may run after the owner is gone (a completed wait already queued), so the
// state it touches lives in a shared block the owner detaches from on destruction.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace sy::proxy {

class DeadlineWatch {
 public:
  using Clock = std::chrono::steady_clock;

  DeadlineWatch(boost::asio::io_context& io, boost::asio::ip::tcp::socket& socket);
  ~DeadlineWatch();
  DeadlineWatch(const DeadlineWatch&) = delete;
  DeadlineWatch& operator=(const DeadlineWatch&) = delete;

  // A read is about to wait; it must finish before `deadline`.
  void start(Clock::time_point deadline);
  // The read finished (or failed); no deadline applies until the next start().
  void stop() { state_->waiting = false; }
  // Whether the last wait was cut short by the deadline.
  bool expired() const { return state_->expired; }

 private:
  struct State {
    boost::asio::steady_timer timer;
    boost::asio::ip::tcp::socket* socket;
    Clock::time_point deadline{};
    Clock::time_point armed_at{};  // expiry of the pending wait, valid while `armed`
    bool armed = false;
    bool waiting = false;
    bool expired = false;
  };
  static void arm(const std::shared_ptr<State>& s, Clock::time_point at);
  static void on_timer(const std::shared_ptr<State>& s);

  std::shared_ptr<State> state_;
};

}  // namespace sy::proxy
