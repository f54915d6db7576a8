// A listener the config in force wants but whose port could not be opened (for instance still
// held by another process). The server retries it on every reload and every second until it
// opens; the admin API shows these (/config_dump, switchyard_listeners_failed).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace sy::server {

struct ListenerFailure {
  std::string address;  // "host:port", with " (mesh)" for a mesh listener
  std::string error;    // of the last attempt
  uint32_t attempts = 0;
  std::chrono::system_clock::time_point since;  // first failed attempt
};

}  // namespace sy::server
