#include "net/event_loop.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>

namespace sy::net {

const char* event_loop_name() {
#if defined(BOOST_ASIO_HAS_IO_URING) && defined(BOOST_ASIO_DISABLE_EPOLL)
  return "io_uring";
#else
  return "epoll";
#endif
}

std::string event_loop_unavailable() {
  // A timer makes Asio create its backend (for io_uring: the ring), exactly as a worker would.
  try {
    boost::asio::io_context io;
    boost::asio::steady_timer timer(io);
  } catch (const boost::system::system_error& e) {
    return e.what();
  }
  return {};
}

}  // namespace sy::net
