#include "obs/access_log.h"

#include <unistd.h>

#include <fmt/format.h>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/utf8.h"
#include "proxy/response_flags.h"

namespace sy::obs {

namespace {

std::string_view header_or_dash(const http::RequestHead& head, std::string_view name) {
  auto v = head.headers.get(name);
  return v && !v->empty() ? *v : std::string_view("-");
}

// The client-controlled fields of one line, each made safe for a log (core/utf8.h): a byte that
// is not UTF-8 is written as \xHH, so neither the JSON encoder nor a log reader meets it raw.
struct SafeFields {
  std::string scratch[6];
  std::string_view method, path, xff, user_agent, request_id, authority;

  SafeFields(const http::RequestHead& head, std::string_view raw_path) {
    method = log_safe(head.method_name, scratch[0]);
    path = log_safe(raw_path, scratch[1]);
    xff = log_safe(header_or_dash(head, "x-forwarded-for"), scratch[2]);
    user_agent = log_safe(header_or_dash(head, "user-agent"), scratch[3]);
    request_id = log_safe(header_or_dash(head, "x-request-id"), scratch[4]);
    authority = log_safe(head.authority, scratch[5]);
  }
};

std::string start_time(const proxy::RequestInfo& info) {
  // RequestInfo keeps a steady clock; convert to wall time through the current offset.
  auto wall = std::chrono::system_clock::now() - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                                     std::chrono::steady_clock::now() - info.start);
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(wall);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wall - secs).count();
  std::time_t t = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", buf, ms);
}

}  // namespace

void AccessLog::format(const http::RequestHead& head, const proxy::RequestInfo& info, AccessLogFormat fmt_kind,
                       std::string& out) {
  const auto duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - info.start).count();
  std::string_view path = head.headers.get("x-envoy-original-path").value_or(head.path);
  const std::string flags = proxy::format_response_flags(info.flags);
  const std::string_view upstream = info.upstream_host.empty() ? std::string_view("-") : info.upstream_host;
  const SafeFields f(head, path);
  if (info.l4) {  // Envoy's TCP proxy line: no method, path or protocol; the SNI as authority
    if (fmt_kind == AccessLogFormat::kJson) {
      nlohmann::json j{{"start_time", start_time(info)},
                       {"protocol", "TCP"},
                       {"response_flags", flags},
                       {"bytes_received", info.request_body_bytes},
                       {"bytes_sent", info.response_body_bytes},
                       {"duration", duration},
                       {"upstream_host", upstream},
                       {"upstream_cluster", info.cluster_name.empty() ? "-" : info.cluster_name},
                       {"route_name", info.route_name.empty() ? "-" : info.route_name},
                       {"authority", f.authority}};
      out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      out += '\n';
      return;
    }
    fmt::format_to(
        std::back_inserter(out), "[{}] \"- - -\" 0 {} {} {} {} \"-\" \"-\" \"-\" \"{}\" \"{}\" cluster={} route={}\n",
        start_time(info), flags, info.request_body_bytes, info.response_body_bytes, duration,
        f.authority.empty() ? std::string_view("-") : f.authority, upstream,
        info.cluster_name.empty() ? "-" : info.cluster_name, info.route_name.empty() ? "-" : info.route_name);
    return;
  }
  if (fmt_kind == AccessLogFormat::kJson) {
    nlohmann::json j{
        {"start_time", start_time(info)},
        {"method", f.method},
        {"path", f.path},
        {"protocol", http::to_string(head.version)},
        {"response_code", info.status},
        {"response_flags", flags},
        {"bytes_received", info.request_body_bytes},
        {"bytes_sent", info.response_body_bytes},
        {"duration", duration},
        {"upstream_host", upstream},
        {"upstream_cluster", info.cluster_name.empty() ? "-" : info.cluster_name},
        {"route_name", info.route_name.empty() ? "-" : info.route_name},
        {"attempts", info.attempts},
        {"x_forwarded_for", f.xff},
        {"user_agent", f.user_agent},
        {"request_id", f.request_id},
        {"authority", f.authority},
    };
    // Every field is clean already; `replace` is the second line of defence (never throw here).
    out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '\n';
    return;
  }
  // Envoy's default format, plus the attempt count and route name at the end.
  fmt::format_to(std::back_inserter(out),
                 "[{}] \"{} {} {}\" {} {} {} {} {} \"{}\" \"{}\" \"{}\" \"{}\" \"{}\" attempts={} route={}\n",
                 start_time(info), f.method, f.path, http::to_string(head.version), info.status, flags,
                 info.request_body_bytes, info.response_body_bytes, duration, f.xff, f.user_agent, f.request_id,
                 f.authority, upstream, info.attempts, info.route_name.empty() ? "-" : info.route_name);
}

void AccessLog::on_request_done(const http::RequestHead& head, const proxy::RequestInfo& info) {
  format(head, info, format_, buffer_);
  if (buffer_.size() >= kFlushAt) flush();
}

void AccessLog::flush() {
  size_t off = 0;
  while (off < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + off, buffer_.size() - off);
    if (n <= 0) break;  // a full disk must not stall traffic: drop the rest
    off += static_cast<size_t>(n);
  }
  buffer_.clear();
}

}  // namespace sy::obs
