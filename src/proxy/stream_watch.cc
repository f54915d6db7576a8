#include "proxy/stream_watch.h"

namespace sy::proxy {

void StreamWatchList::add(StreamWatch& w) {
  w.next_ = head_;
  if (head_ != nullptr) head_->prev_ = &w;
  head_ = &w;
  ++size_;
  if (!armed_) arm();
}

void StreamWatchList::remove(StreamWatch& w) {
  if (w.prev_ != nullptr) w.prev_->next_ = w.next_;
  if (w.next_ != nullptr) w.next_->prev_ = w.prev_;
  if (head_ == &w) head_ = w.next_;
  w.prev_ = w.next_ = nullptr;
  --size_;
}

void StreamWatchList::arm() {
  armed_ = true;
  timer_.expires_after(kSweepEvery);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // the list is being destroyed
    armed_ = false;
    sweep(Clock::now());
    if (size_ > 0) arm();
  });
}

void StreamWatchList::sweep(Clock::time_point now) {
  for (StreamWatch* w = head_; w != nullptr; w = w->next_) {
    if (w->upstream_ == nullptr || w->fired_ != StreamWatch::Fired::kNone) continue;
    if (w->down_.peer_closed()) w->fired_ = StreamWatch::Fired::kClientGone;
    else if (now - w->last_activity_ >= stream_idle_) w->fired_ = StreamWatch::Fired::kIdle;
    else continue;
    boost::system::error_code ignored;
    w->upstream_->cancel(ignored);  // cancel, not close: the forwarder still owns the socket
  }
}

}  // namespace sy::proxy
