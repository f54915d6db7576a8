// What demo-upstream does with a request, decided apart from the socket code:
// per-request controls (query or x-demo-* headers) -> a Plan; shared counters; the echo body.
// No Asio or Beast here, so session.cc is the only TU that knows about I/O.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace demo {

// Request headers in arrival order, names lower-cased.
using Headers = std::vector<std::pair<std::string, std::string>>;

// Who this upstream says it is. Immutable after start.
struct Identity {
  std::string name;
  std::string version;
};

// The scripted behaviour one request asked for. Absent controls keep their defaults.
struct Controls {
  std::chrono::milliseconds delay{0};
  std::optional<unsigned> status;
  bool reset = false;
  bool reset_after_headers = false;
  std::optional<std::uint64_t> size;
  bool chunked = false;
  std::optional<std::uint64_t> fail_times;
  std::string key = "default";
  bool has_key = false;  // key= or x-demo-key was given; only then is by_key counted
  bool close = false;
};

// Either controls, or a message for a 400 response.
struct ControlsOrError {
  std::optional<Controls> controls;
  std::string error;
};

// Reads controls from the raw query string and the headers; a header overrides the query.
ControlsOrError parse_controls(std::string_view query, const Headers& headers);

// Request and connection counters shared by every worker thread. All members are safe to call
// from any thread: plain counters are atomics, the per-key map sits behind `mutex_`.
class Stats {
 public:
  void count_connection() { connections_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t next_connection_id() { return connection_ids_.fetch_add(1, std::memory_order_relaxed) + 1; }

  // Counts one request. With a key, returns how many earlier requests carried it (0 for the
  // first), which is what fail_times compares against; the read and increment are one step.
  std::uint64_t count_request(const Controls& controls);

  std::string to_json() const;
  void reset();

 private:
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> connection_ids_{0};  // never reset, so ids stay unique
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> by_key_;  // guarded by mutex_
};

enum class Action { respond, reset, reset_after_headers };

// The decision for one request; the session carries it out.
struct Plan {
  Action action = Action::respond;
  unsigned status = 200;
  std::chrono::milliseconds delay{0};
  std::optional<std::uint64_t> size;  // generated body instead of the JSON echo
  bool chunked = false;
  bool close = false;
};

// Counts the request in `stats` and decides. With fail_times, the first N requests carrying the
// key fail (status, default 500, or a reset) and later ones get 200; without it, status and
// reset apply to every request.
Plan plan_response(const Controls& controls, Stats& stats);

// Everything the echo body reports about one request.
struct EchoFacts {
  const Identity& identity;
  std::uint16_t port;
  std::string_view method;
  std::string_view path;
  std::string_view query;
  const Headers& headers;
  std::uint64_t body_bytes;
  std::uint64_t conn_id;
  std::uint64_t conn_request;
};

std::string echo_json(const EchoFacts& facts);

// {"error": message} for 400 responses.
std::string error_json(std::string_view message);

// Splits "path?query" into its two parts; the query excludes the '?'.
std::pair<std::string_view, std::string_view> split_target(std::string_view target);

}  // namespace demo
