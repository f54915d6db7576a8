// A one-waiter wake-up for coroutines on one worker: notify() wakes the coroutine in wait(), or
// makes its next wait() return at once, so a notification that comes first is never lost.
// Built on a steady_timer whose cancellation is the signal; the waiter may also give a deadline.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

namespace sy::net {

class WakeSignal {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WakeSignal(boost::asio::io_context& io) : timer_(io) {}

  void notify() {
    pending_ = true;
    // Cancelling takes the event loop's timer lock; without a waiter there is nothing to wake.
    if (waiting_) timer_.cancel();
  }

  // True when notified; false when `deadline` passed first.
  boost::asio::awaitable<bool> wait(Clock::time_point deadline = Clock::time_point::max()) {
    if (!pending_) {
      timer_.expires_at(deadline);
      waiting_ = true;
      co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      waiting_ = false;
    }
    const bool woken = pending_;
    pending_ = false;
    co_return woken;
  }

 private:
  boost::asio::steady_timer timer_;
  bool pending_ = false;
  bool waiting_ = false;
};

}  // namespace sy::net
