#include "behaviour.h"

#include <charconv>

#include <nlohmann/json.hpp>

namespace demo {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Query values may be percent-encoded; '+' stays literal since these are numbers and keys.
std::string percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(in[i]);
  }
  return out;
}

// The controls we know, by query name. Header names are "x-demo-" + name with '_' -> '-'.
constexpr std::string_view kControlNames[] = {"delay",      "status", "reset", "reset_after_headers", "size", "chunked",
                                              "fail_times", "key",    "close"};

std::string header_name_for(std::string_view control) {
  std::string name = "x-demo-";
  for (char c : control) name.push_back(c == '_' ? '-' : c);
  return name;
}

// Raw control values, query first, then headers overriding.
std::map<std::string, std::string, std::less<>> collect(std::string_view query, const Headers& headers) {
  std::map<std::string, std::string, std::less<>> raw;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    auto eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view{"1"} : pair.substr(eq + 1);
    for (auto known : kControlNames) {
      if (name == known) raw[std::string(known)] = percent_decode(value);
    }
  }
  for (auto known : kControlNames) {
    std::string header = header_name_for(known);
    for (const auto& [name, value] : headers) {
      if (name == header) raw[std::string(known)] = value;
    }
  }
  return raw;
}

template <typename T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

bool parse_flag(std::string_view text, bool& out) {
  if (text == "1" || text == "true" || text == "yes" || text == "on") {
    out = true;
    return true;
  }
  if (text == "0" || text == "false" || text == "no" || text == "off" || text.empty()) {
    out = false;
    return true;
  }
  return false;
}

}  // namespace

std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

ControlsOrError parse_controls(std::string_view query, const Headers& headers) {
  auto raw = collect(query, headers);
  Controls c;
  auto bad = [](std::string_view name, std::string_view value) {
    return ControlsOrError{std::nullopt, "bad value for " + std::string(name) + ": '" + std::string(value) + "'"};
  };
  for (const auto& [name, value] : raw) {
    if (name == "delay") {
      std::uint32_t ms = 0;
      if (!parse_number(value, ms)) return bad(name, value);
      c.delay = std::chrono::milliseconds(ms);
    } else if (name == "status") {
      unsigned status = 0;
      if (!parse_number(value, status) || status < 200 || status > 999) return bad(name, value);
      c.status = status;
    } else if (name == "size") {
      std::uint64_t size = 0;
      if (!parse_number(value, size)) return bad(name, value);
      c.size = size;
    } else if (name == "fail_times") {
      std::uint64_t n = 0;
      if (!parse_number(value, n)) return bad(name, value);
      c.fail_times = n;
    } else if (name == "key") {
      if (value.empty()) return bad(name, value);
      c.key = value;
      c.has_key = true;
    } else {
      bool* flag = name == "reset"                 ? &c.reset
                   : name == "reset_after_headers" ? &c.reset_after_headers
                   : name == "chunked"             ? &c.chunked
                                                   : &c.close;
      if (!parse_flag(value, *flag)) return bad(name, value);
    }
  }
  return {std::move(c), {}};
}

// === impl Stats ===

std::uint64_t Stats::count_request(const Controls& controls) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  if (!controls.has_key && !controls.fail_times) return 0;
  std::lock_guard lock(mutex_);
  return by_key_[controls.key]++;
}

std::string Stats::to_json() const {
  nlohmann::json j;
  j["requests"] = requests_.load(std::memory_order_relaxed);
  j["connections"] = connections_.load(std::memory_order_relaxed);
  j["by_key"] = nlohmann::json::object();
  std::lock_guard lock(mutex_);
  for (const auto& [key, count] : by_key_) j["by_key"][key] = count;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Stats::reset() {
  requests_.store(0, std::memory_order_relaxed);
  connections_.store(0, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  by_key_.clear();
}

// === decisions ===

Plan plan_response(const Controls& controls, Stats& stats) {
  std::uint64_t earlier = stats.count_request(controls);
  Plan plan;
  plan.delay = controls.delay;
  plan.size = controls.size;
  plan.chunked = controls.chunked;
  plan.close = controls.close;

  bool failing = !controls.fail_times || earlier < *controls.fail_times;
  if (!failing) return plan;  // fail_times used up: plain success
  if (controls.reset) {
    plan.action = Action::reset;
  } else if (controls.reset_after_headers) {
    plan.action = Action::reset_after_headers;
  }
  if (controls.status) {
    plan.status = *controls.status;
  } else if (controls.fail_times) {
    plan.status = 500;
  }
  return plan;
}

std::string echo_json(const EchoFacts& f) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [name, value] : f.headers) {
    auto it = headers.find(name);
    if (it == headers.end()) {
      headers[name] = value;
    } else {
      *it = it->get<std::string>() + ", " + value;
    }
  }
  nlohmann::json j = {
      {"name", f.identity.name},
      {"version", f.identity.version},
      {"port", f.port},
      {"method", f.method},
      {"path", f.path},
      {"query", f.query},
      {"headers", std::move(headers)},
      {"body_bytes", f.body_bytes},
      {"conn_id", f.conn_id},
      {"conn_request", f.conn_request},
  };
  // Header bytes need not be UTF-8; replace rather than throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string error_json(std::string_view message) {
  return nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace demo
