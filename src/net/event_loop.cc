#include "net/event_loop.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>

#if defined(BOOST_ASIO_HAS_IO_URING) && defined(BOOST_ASIO_DISABLE_EPOLL)
#include <liburing.h>

#include <utility>
#endif

namespace sy::net {

namespace {

#if defined(BOOST_ASIO_HAS_IO_URING) && defined(BOOST_ASIO_DISABLE_EPOLL)
// A kernel can create a ring and still lack operations Asio submits for sockets (accept and
// connect came in 5.5; 5.4 kernels, e.g. Ubuntu 20.04's, have rings without them). Such a proxy
// would start and then fail every accept, so the operations are checked up front.
std::string missing_operations() {
  io_uring_probe* probe = io_uring_get_probe();
  if (probe == nullptr)
    return "the kernel cannot report its io_uring operations (older than 5.6, or io_uring_register refused)";
  static constexpr std::pair<int, const char*> kNeeded[] = {
      {IORING_OP_ACCEPT, "accept"},     {IORING_OP_CONNECT, "connect"},
      {IORING_OP_SENDMSG, "sendmsg"},   {IORING_OP_RECVMSG, "recvmsg"},
      {IORING_OP_POLL_ADD, "poll_add"}, {IORING_OP_ASYNC_CANCEL, "async_cancel"},
      {IORING_OP_TIMEOUT, "timeout"},   {IORING_OP_TIMEOUT_REMOVE, "timeout_remove"},
  };
  std::string missing;
  for (const auto& [op, name] : kNeeded) {
    if (io_uring_opcode_supported(probe, op)) continue;
    missing += missing.empty() ? "the kernel's io_uring lacks " : ", ";
    missing += name;
  }
  io_uring_free_probe(probe);
  return missing;
}
#endif

}  // namespace

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
#if defined(BOOST_ASIO_HAS_IO_URING) && defined(BOOST_ASIO_DISABLE_EPOLL)
  return missing_operations();
#else
  return {};
#endif
}

}  // namespace sy::net
