#include "cli/event_loop_choice.h"

#include <spdlog/spdlog.h>
#include <cerrno>
#include <cstring>
#include <string_view>

#include <unistd.h>

#include "net/event_loop.h"

namespace sy::cli {

namespace {

constexpr const char* kEpollSibling = "switchyard-epoll";

std::string beside_this_binary(const char* name) {
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return name;
  std::string_view path(self, static_cast<size_t>(n));
  size_t slash = path.rfind('/');
  return std::string(path.substr(0, slash == std::string_view::npos ? 0 : slash + 1)) + name;
}

}  // namespace

int settle_event_loop(const std::string& wanted, char** argv) {
  const std::string_view mine = net::event_loop_name();
  if (mine == "epoll") {
    if (wanted == "io_uring") {
      spdlog::error("--io io_uring: this binary runs on epoll (it was built without liburing)");
      return 1;
    }
    spdlog::info("event loop: epoll");
    return 0;
  }
  std::string refused;
  if (wanted != "epoll") {
    refused = net::event_loop_unavailable();
    if (refused.empty()) {
      spdlog::info("event loop: io_uring");
      return 0;
    }
    if (wanted == "io_uring") {
      spdlog::error("--io io_uring: io_uring is not available here: {}", refused);
      return 1;
    }
  }
  const std::string sibling = beside_this_binary(kEpollSibling);
  if (!refused.empty()) spdlog::warn("io_uring is not available here ({}); handing over to {}", refused, sibling);
  spdlog::default_logger()->flush();
  ::execv(sibling.c_str(), argv);
  spdlog::error("cannot start {}: {}", sibling, std::strerror(errno));
  return 1;
}

}  // namespace sy::cli
