#include "server/connection_limit.h"

#include <sys/resource.h>

#include <algorithm>

namespace sy::server {

uint64_t default_max_connections(uint64_t nofile) {
  const uint64_t reserve = std::min<uint64_t>(4096, nofile / 2);
  return std::max<uint64_t>(1, nofile - reserve);
}

uint64_t raise_descriptor_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return lim.rlim_cur == RLIM_INFINITY ? uint64_t{1} << 20 : static_cast<uint64_t>(lim.rlim_cur);
}

}  // namespace sy::server
