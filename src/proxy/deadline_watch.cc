#include "proxy/deadline_watch.h"

namespace sy::proxy {

DeadlineWatch::DeadlineWatch(boost::asio::io_context& io, boost::asio::ip::tcp::socket& socket)
    : state_(std::make_shared<State>(State{boost::asio::steady_timer(io), &socket})) {}

DeadlineWatch::~DeadlineWatch() {
  state_->socket = nullptr;
  state_->timer.cancel();
}

void DeadlineWatch::start(Clock::time_point deadline) {
  State& s = *state_;
  s.deadline = deadline;
  s.waiting = true;
  s.expired = false;
  // An armed wait that fires no later than the deadline is good enough: on_timer re-arms.
  if (s.armed && s.armed_at <= deadline) return;
  arm(state_, deadline);
}

void DeadlineWatch::arm(const std::shared_ptr<State>& s, Clock::time_point at) {
  s->armed = true;
  s->armed_at = at;
  s->timer.expires_at(at);  // cancels a wait for a later instant; its handler sees the error
  s->timer.async_wait([s](const boost::system::error_code& ec) {
    if (!ec) on_timer(s);
  });
}

void DeadlineWatch::on_timer(const std::shared_ptr<State>& s) {
  if (s->socket == nullptr) return;  // the owner is gone
  s->armed = false;
  if (!s->waiting) return;  // the next start() arms again
  if (Clock::now() < s->deadline) {
    arm(s, s->deadline);
    return;
  }
  s->expired = true;
  boost::system::error_code ignored;
  s->socket->cancel(ignored);
}

}  // namespace sy::proxy
