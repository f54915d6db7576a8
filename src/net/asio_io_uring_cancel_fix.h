// Force-included into every translation unit of the io_uring build (CMakeLists.txt), before any
// Asio header. Boost 1.81's Asio (Debian 12) prepares its IORING_OP_ASYNC_CANCEL submissions
// without setting their user_data, and liburing does not clear it either, so a cancel's own
// completion carries whatever the reused submission slot held last: usually the address of another
// socket's operation queue. Asio then "completes" that socket's pending operation with the
// cancel's result (0, -ENOENT, -EALREADY): a read that sees end-of-file, an accept that fails with
// ENOENT, an operation completed twice (double free). Every cancel is exposed: a timeout, an
// `a || b`, parking an idle connection. Later Asio releases clear user_data on every submission;
// this does the same for cancels by routing Asio's calls through a wrapper. Asio skips completions
// whose user_data is null, so the cancel's completion is then counted and dropped.
#pragma once

#if defined(BOOST_ASIO_HAS_IO_URING)
#include <liburing.h>

static inline void sy_io_uring_prep_cancel_without_owner(struct io_uring_sqe* sqe, void* target, int flags) {
  io_uring_prep_cancel(sqe, target, flags);
  io_uring_sqe_set_data(sqe, nullptr);
}
#define io_uring_prep_cancel(sqe, target, flags) sy_io_uring_prep_cancel_without_owner(sqe, target, flags)
#endif
