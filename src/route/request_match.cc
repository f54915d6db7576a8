#include "route/request_match.h"

#include <fmt/format.h>

#include <algorithm>

#include "config/hostname.h"

namespace sy::route {

std::optional<std::string_view> find_query_param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    std::string_view k = pair.substr(0, eq);
    if (k == key) return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

namespace {

bool is_pseudo_header_key(const std::string& k) {
  return k == "uri" || k == "scheme" || k == "method" || k == "authority";
}

std::optional<StringMatcher> compile_opt(const std::optional<config::StringMatch>& m, bool ignore_case,
                                         const char* what, std::vector<std::string>* errors) {
  if (!m) return std::nullopt;
  std::string err;
  StringMatcher out = StringMatcher::compile(*m, ignore_case, &err);
  if (!err.empty() && errors) errors->push_back(fmt::format("{}: {}", what, err));
  return out;
}

}  // namespace

RequestMatch RequestMatch::compile(const config::HTTPMatchRequest& m, std::vector<std::string>* errors) {
  RequestMatch out;
  out.name_ = m.name;
  out.uri_ = compile_opt(m.uri, m.ignore_uri_case, "uri", errors);
  out.scheme_ = compile_opt(m.scheme, false, "scheme", errors);
  out.method_ = compile_opt(m.method, false, "method", errors);
  out.authority_ = compile_opt(m.authority, false, "authority", errors);
  auto keyed = [&](const std::map<std::string, config::StringMatch>& in, bool lower_keys, bool skip_pseudo,
                   const char* what) {
    std::vector<KeyedCondition> v;
    for (const auto& [key, sm] : in) {
      std::string k = lower_keys ? config::lower(key) : key;
      if (skip_pseudo && is_pseudo_header_key(k)) continue;
      std::string err;
      StringMatcher matcher = StringMatcher::compile(sm, false, &err);
      if (!err.empty() && errors) errors->push_back(fmt::format("{} \"{}\": {}", what, key, err));
      v.push_back({std::move(k), std::move(matcher)});
    }
    return v;
  };
  out.headers_ = keyed(m.headers, true, true, "header");
  out.query_params_ = keyed(m.query_params, false, false, "queryParams");
  out.without_headers_ = keyed(m.without_headers, true, true, "withoutHeaders");
  return out;
}

// One implementation for both paths so explain can never disagree with the data plane:
// `why` is null on the hot path and the formatting below only runs on the explain path.
bool RequestMatch::check(const RequestView& req, std::string* why) const {
  auto fail_value = [&](const char* what, std::string_view value, const StringMatcher& m) {
    if (why) *why = fmt::format("{} \"{}\" does not match {}", what, value, m.describe());
    return false;
  };
  if (uri_ && !uri_->matches(req.path_only())) return fail_value("uri", req.path_only(), *uri_);
  if (scheme_ && !scheme_->matches(req.scheme)) return fail_value("scheme", req.scheme, *scheme_);
  if (method_ && !method_->matches(req.method)) return fail_value("method", req.method, *method_);
  if (authority_ && !authority_->matches(req.authority)) return fail_value("authority", req.authority, *authority_);
  for (const auto& h : headers_) {
    std::optional<std::string_view> v = req.header(h.key);
    if (!v) {
      if (why) *why = fmt::format("header \"{}\" is missing (want {})", h.key, h.matcher.describe());
      return false;
    }
    if (!h.matcher.matches(*v)) {
      if (why) *why = fmt::format("header \"{}\": \"{}\" does not match {}", h.key, *v, h.matcher.describe());
      return false;
    }
  }
  std::string_view query = req.query();
  for (const auto& q : query_params_) {
    std::optional<std::string_view> v = find_query_param(query, q.key);
    if (!v) {
      if (why) *why = fmt::format("query parameter \"{}\" is missing (want {})", q.key, q.matcher.describe());
      return false;
    }
    if (!q.matcher.matches(*v)) {
      if (why) *why = fmt::format("query parameter \"{}\": \"{}\" does not match {}", q.key, *v, q.matcher.describe());
      return false;
    }
  }
  for (const auto& h : without_headers_) {
    std::optional<std::string_view> v = req.header(h.key);
    if (h.matcher.is_presence()) {
      if (v) {
        if (why) *why = fmt::format("header \"{}\" is present (withoutHeaders requires it absent)", h.key);
        return false;
      }
      continue;
    }
    // A missing header is matched as the empty string, as Envoy's inverted header matcher does.
    if (h.matcher.matches(v.value_or(std::string_view{}))) {
      if (why)
        *why = fmt::format("header \"{}\": \"{}\" matches {} (withoutHeaders)", h.key, v.value_or(""),
                           h.matcher.describe());
      return false;
    }
  }
  return true;
}

std::optional<std::string> RequestMatch::first_failure(const RequestView& req) const {
  std::string why;
  if (check(req, &why)) return std::nullopt;
  return why;
}

bool RequestMatch::is_catch_all() const {
  if (scheme_ || method_ || authority_ || !headers_.empty() || !query_params_.empty() || !without_headers_.empty())
    return false;
  if (!uri_) return true;
  switch (uri_->kind()) {
    case StringMatcher::Kind::kPrefix:
      return uri_->value() == "/";
    case StringMatcher::Kind::kRegex:
      return uri_->value() == ".*" || uri_->value() == "*";
    default:
      return false;
  }
}

std::string RequestMatch::describe() const {
  std::vector<std::string> parts;
  if (uri_) parts.push_back("uri " + uri_->describe());
  if (scheme_) parts.push_back("scheme " + scheme_->describe());
  if (method_) parts.push_back("method " + method_->describe());
  if (authority_) parts.push_back("authority " + authority_->describe());
  for (const auto& h : headers_) parts.push_back(fmt::format("header \"{}\" {}", h.key, h.matcher.describe()));
  for (const auto& q : query_params_)
    parts.push_back(fmt::format("query parameter \"{}\" {}", q.key, q.matcher.describe()));
  for (const auto& h : without_headers_)
    parts.push_back(h.matcher.is_presence() ? fmt::format("header \"{}\" absent", h.key)
                                            : fmt::format("header \"{}\" not {}", h.key, h.matcher.describe()));
  if (parts.empty()) return "any request";
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::optional<std::string> build_time_exclusion(const config::HTTPMatchRequest& m, std::string_view vs_namespace,
                                                const BuildScope& scope) {
  if (m.port && *m.port != scope.port)
    return fmt::format("match port {} is not the listener port {}", *m.port, scope.port);
  if (!m.gateways.empty() && scope.attached_gateways) {
    // A per-block list overrides the VirtualService's list for this block.
    bool any = std::any_of(m.gateways.begin(), m.gateways.end(), [&](const std::string& g) {
      std::string ref = config::resolve_gateway_ref(g, vs_namespace);
      return std::find(scope.attached_gateways->begin(), scope.attached_gateways->end(), ref) !=
             scope.attached_gateways->end();
    });
    if (!any) return fmt::format("match gateways [{}] do not include this gateway", fmt::join(m.gateways, ", "));
  }
  // Without a per-block list the VS-level binding applies; the caller decided it when attaching the VS.
  if (!m.source_labels.empty()) {
    for (const auto& [k, v] : m.source_labels) {
      auto it = scope.proxy_labels ? scope.proxy_labels->find(k) : config::Labels::const_iterator{};
      if (!scope.proxy_labels || it == scope.proxy_labels->end() || it->second != v)
        return fmt::format("sourceLabels {}={} do not match this proxy", k, v);
    }
  }
  if (!m.source_namespace.empty() && m.source_namespace != scope.proxy_namespace)
    return fmt::format("sourceNamespace \"{}\" is not this proxy's namespace \"{}\"", m.source_namespace,
                       scope.proxy_namespace);
  return std::nullopt;
}

}  // namespace sy::route
