#include "policy/retry_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

namespace sy::policy {
namespace {

constexpr std::array<std::pair<std::string_view, RetryOn>, 16> kPolicies = {{
    {"5xx", kRetryOn5xx},
    {"gateway-error", kRetryOnGatewayError},
    {"reset", kRetryOnReset},
    {"reset-before-request", kRetryOnResetBeforeRequest},
    {"connect-failure", kRetryOnConnectFailure},
    {"refused-stream", kRetryOnRefusedStream},
    {"retriable-4xx", kRetryOnRetriable4xx},
    {"retriable-status-codes", kRetryOnRetriableStatusCodes},
    {"retriable-headers", kRetryOnRetriableHeaders},
    {"envoy-ratelimited", kRetryOnEnvoyRateLimited},
    {"http3-post-connect-failure", kRetryOnHttp3PostConnectFailure},
    {"cancelled", kRetryOnCancelled},
    {"deadline-exceeded", kRetryOnDeadlineExceeded},
    {"internal", kRetryOnInternal},
    {"resource-exhausted", kRetryOnResourceExhausted},
    {"unavailable", kRetryOnUnavailable},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool RetryOnSet::retriable_status(uint32_t status) const {
  return has(kRetryOnRetriableStatusCodes) &&
         std::find(status_codes.begin(), status_codes.end(), status) != status_codes.end();
}

RetryOnSet parse_retry_on(std::string_view text) {
  RetryOnSet out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view tok = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (tok.empty()) continue;
    auto it = std::find_if(kPolicies.begin(), kPolicies.end(), [&](const auto& p) { return p.first == tok; });
    if (it != kPolicies.end()) {
      out.flags |= it->second;
      continue;
    }
    uint32_t code = 0;
    auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), code);
    if (ec == std::errc{} && ptr == tok.data() + tok.size()) {
      out.flags |= kRetryOnRetriableStatusCodes;
      if (std::find(out.status_codes.begin(), out.status_codes.end(), code) == out.status_codes.end())
        out.status_codes.push_back(code);
      continue;
    }
    out.unknown.emplace_back(tok);
  }
  return out;
}

std::string format_retry_on(const RetryOnSet& s) {
  std::vector<std::string> parts;
  for (const auto& [name, flag] : kPolicies)
    if (s.has(flag)) parts.emplace_back(name);
  for (uint32_t c : s.status_codes) parts.push_back(std::to_string(c));
  return fmt::format("{}", fmt::join(parts, ","));
}

RetryPolicy effective_retry_policy(const std::optional<config::HTTPRetry>& retries) {
  RetryPolicy out;
  if (!retries) return out;
  out.is_default = false;
  if (!retries->attempts || *retries->attempts <= 0) {
    out.num_retries = 0;  // explicitly disabled
    return out;
  }
  out.num_retries = static_cast<uint32_t>(*retries->attempts);
  if (retries->retry_on && !retries->retry_on->empty()) out.retry_on = parse_retry_on(*retries->retry_on);
  if (retries->per_try_timeout) out.per_try_timeout = *retries->per_try_timeout;
  if (retries->retry_remote_localities) out.retry_remote_localities = *retries->retry_remote_localities;
  if (retries->retry_ignore_previous_hosts) out.retry_ignore_previous_hosts = *retries->retry_ignore_previous_hosts;
  if (retries->backoff) out.backoff_base = *retries->backoff;
  return out;
}

}  // namespace sy::policy
