#include "proxy/parked_connections.h"

#include <boost/asio/bind_allocator.hpp>

#include "proxy/exact_heap_allocator.h"

namespace sy::proxy {

void ParkedConnections::park(boost::asio::ip::tcp::socket socket, ListenerBinding binding, Clock::time_point deadline,
                             ConnectionClosed on_closed, Wake wake, void* owner) {
  wake_ = wake;
  owner_ = owner;
  auto it = parked_.insert(parked_.end(), Entry{std::move(socket), share(std::move(binding)), on_closed, deadline});
  // The wait may last minutes: its operation gets an exactly sized block (exact_heap_allocator.h).
  const ExactHeapAllocator<void> exact;
#if defined(BOOST_ASIO_HAS_IO_URING) && defined(BOOST_ASIO_DISABLE_EPOLL)
  // io_uring polls the socket's current state, so a wait for readability is enough, and its
  // operation is smaller than a receive's (no message header). End of stream also reads as
  // readable: the woken connection then reads it and closes.
  it->socket.async_wait(
      boost::asio::ip::tcp::socket::wait_read,
      boost::asio::bind_allocator(exact, [this, it](const boost::system::error_code& ec) { on_peek(it, ec, 1); }));
#else
  // A peek, not a wait for readability: Asio's epoll reactor is edge-triggered, and a wait started
  // after the readiness edge was consumed would never finish; a read operation checks first.
  it->socket.async_receive(boost::asio::buffer(&it->byte, 1), boost::asio::ip::tcp::socket::message_peek,
                           boost::asio::bind_allocator(exact, [this, it](const boost::system::error_code& ec,
                                                                         size_t n) { on_peek(it, ec, n); }));
#endif
  if (!armed_) arm(deadline);  // an armed timer fires no later: deadlines do not decrease
}

void ParkedConnections::on_peek(std::list<Entry>::iterator it, const boost::system::error_code& ec, size_t n) {
  Entry e = std::move(*it);
  parked_.erase(it);
  if (ec || n == 0) {  // closed by the client, or cancelled by the idle sweep
    boost::system::error_code ignored;
    e.socket.close(ignored);
    e.on_closed();
    return;
  }
  wake_(owner_, *e.binding, std::move(e.socket), e.on_closed);
}

std::shared_ptr<const ListenerBinding> ParkedConnections::share(ListenerBinding binding) {
  if (binding.original_dst) return std::make_shared<const ListenerBinding>(std::move(binding));
  for (const auto& held : shared_bindings_)
    if (*held == binding) return held;
  auto made = std::make_shared<const ListenerBinding>(std::move(binding));
  // A reload that changed listeners leaves old bindings behind: replace one nobody parks with.
  if (shared_bindings_.size() < kSharedBindings) {
    shared_bindings_.push_back(made);
  } else {
    for (auto& held : shared_bindings_) {
      if (held.use_count() == 1) {
        held = made;
        break;
      }
    }
  }
  return made;
}

void ParkedConnections::arm(Clock::time_point at) {
  armed_ = true;
  timer_.expires_at(at);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    armed_ = false;
    if (!ec) sweep();
  });
}

// Cancels the peeks of connections past their deadline (their handlers close them and leave the
// list), then waits for the next deadline.
void ParkedConnections::sweep() {
  const auto now = Clock::now();
  for (auto& e : parked_) {
    if (e.deadline > now) return arm(e.deadline);
    boost::system::error_code ignored;
    e.socket.cancel(ignored);
  }
}

}  // namespace sy::proxy
