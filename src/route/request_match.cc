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

// Istio turns a header (or query parameter) StringMatch of `regex: "*"` into a presence test
// instead of a regex (istio/istio pull request 20629, route.go canBeConvertedToPresentMatch):
// `*` alone is not RE2. An empty matcher `{}` is a presence test already.
config::StringMatch presence_or_as_is(const config::StringMatch& sm) {
  if (sm.kind == config::StringMatch::Kind::kRegex && sm.value == "*") return {config::StringMatch::Kind::kPresent, ""};
  return sm;
}

}  // namespace

RequestMatch::HeaderInput RequestMatch::header_input(std::string_view lowercase_name) {
  if (lowercase_name.empty() || lowercase_name.front() != ':') return HeaderInput::kHeaderMap;
  if (lowercase_name == ":method") return HeaderInput::kMethod;
  if (lowercase_name == ":authority") return HeaderInput::kAuthority;
  if (lowercase_name == ":path") return HeaderInput::kPath;
  if (lowercase_name == ":scheme") return HeaderInput::kScheme;
  return HeaderInput::kNever;
}

std::optional<std::string_view> RequestMatch::header_value(const RequestView& req, const Condition& c) {
  auto pseudo = [](std::string_view v) -> std::optional<std::string_view> {
    if (v.empty()) return std::nullopt;  // e.g. an HTTP/1.0 request without Host has no :authority
    return v;
  };
  switch (c.input) {
    case HeaderInput::kHeaderMap:
      return req.header(c.key);
    case HeaderInput::kMethod:
      return pseudo(req.method);
    case HeaderInput::kAuthority:
      return pseudo(req.authority);
    case HeaderInput::kPath:
      return pseudo(req.path);
    case HeaderInput::kScheme:
      return pseudo(req.scheme);
    case HeaderInput::kNever:
      return std::nullopt;
  }
  return std::nullopt;
}

RequestMatch RequestMatch::compile(const config::HTTPMatchRequest& m, std::vector<std::string>* errors) {
  RequestMatch out;
  out.name_ = m.name;
  auto add = [&](Field field, std::string key, const config::StringMatch& sm, bool ignore_case,
                 const std::string& what) {
    std::string err;
    StringMatcher matcher = StringMatcher::compile(sm, ignore_case, &err);
    if (!err.empty() && errors) errors->push_back(fmt::format("{}: {}", what, err));
    HeaderInput input = field == Field::kHeader || field == Field::kWithoutHeader ? header_input(key)
                                                                                  : HeaderInput::kHeaderMap;
    out.conditions_.push_back({field, std::move(key), std::move(matcher), input});
  };
  if (m.uri) {
    add(Field::kUri, "", *m.uri, m.ignore_uri_case, "uri");
    out.uri_ = out.conditions_.back().matcher;
  }
  if (m.scheme) add(Field::kScheme, "", *m.scheme, false, "scheme");
  if (m.method) add(Field::kMethod, "", *m.method, false, "method");
  if (m.authority) add(Field::kAuthority, "", *m.authority, false, "authority");
  for (const auto& [key, sm] : m.headers) {
    std::string k = config::lower(key);
    if (!is_pseudo_header_key(k))
      add(Field::kHeader, k, presence_or_as_is(sm), false, fmt::format("header \"{}\"", key));
  }
  for (const auto& [key, sm] : m.query_params)
    add(Field::kQueryParam, key, presence_or_as_is(sm), false, fmt::format("queryParams \"{}\"", key));
  for (const auto& [key, sm] : m.without_headers) {
    std::string k = config::lower(key);
    if (!is_pseudo_header_key(k))
      add(Field::kWithoutHeader, k, presence_or_as_is(sm), false, fmt::format("withoutHeaders \"{}\"", key));
  }
  return out;
}

// One implementation for both paths so explain can never disagree with the data plane:
// `why` is null on the hot path and the formatting below only runs on the explain path.
bool RequestMatch::check(const RequestView& req, std::string* why) const {
  for (const Condition& c : conditions_) {
    const StringMatcher& m = c.matcher;
    auto fail_value = [&](const char* what, std::string_view value) {
      if (why) *why = fmt::format("{} \"{}\" does not match {}", what, value, m.describe());
      return false;
    };
    switch (c.field) {
      case Field::kUri:
        if (!m.matches(req.path_only())) return fail_value("uri", req.path_only());
        break;
      case Field::kScheme:
        if (!m.matches(req.scheme)) return fail_value("scheme", req.scheme);
        break;
      case Field::kMethod:
        if (!m.matches(req.method)) return fail_value("method", req.method);
        break;
      case Field::kAuthority:
        if (!m.matches(req.authority)) return fail_value("authority", req.authority);
        break;
      case Field::kHeader: {
        std::optional<std::string_view> v = header_value(req, c);
        if (!v) {
          if (why) *why = fmt::format("header \"{}\" is missing (want {})", c.key, m.describe());
          return false;
        }
        if (!m.matches(*v)) {
          if (why) *why = fmt::format("header \"{}\": \"{}\" does not match {}", c.key, *v, m.describe());
          return false;
        }
        break;
      }
      case Field::kQueryParam: {
        std::optional<std::string_view> v = find_query_param(req.query(), c.key);
        if (!v) {
          if (why) *why = fmt::format("query parameter \"{}\" is missing (want {})", c.key, m.describe());
          return false;
        }
        if (!m.matches(*v)) {
          if (why) *why = fmt::format("query parameter \"{}\": \"{}\" does not match {}", c.key, *v, m.describe());
          return false;
        }
        break;
      }
      case Field::kWithoutHeader: {
        std::optional<std::string_view> v = header_value(req, c);
        if (m.is_presence()) {
          if (v) {
            if (why) *why = fmt::format("header \"{}\" is present (withoutHeaders requires it absent)", c.key);
            return false;
          }
          break;
        }
        // A missing header is matched as the empty string, as Envoy's inverted header matcher does.
        if (m.matches(v.value_or(std::string_view{}))) {
          if (why)
            *why =
                fmt::format("header \"{}\": \"{}\" matches {} (withoutHeaders)", c.key, v.value_or(""), m.describe());
          return false;
        }
        break;
      }
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
  for (const Condition& c : conditions_) {
    if (c.field != Field::kUri) return false;
    switch (c.matcher.kind()) {
      case StringMatcher::Kind::kPrefix:
        if (c.matcher.value() != "/") return false;
        break;
      case StringMatcher::Kind::kRegex:
        if (c.matcher.value() != ".*" && c.matcher.value() != "*") return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

std::string RequestMatch::describe() const {
  std::vector<std::string> parts;
  for (const Condition& c : conditions_) {
    const std::string d = c.matcher.describe();
    switch (c.field) {
      case Field::kUri:
        parts.push_back("uri " + d);
        break;
      case Field::kScheme:
        parts.push_back("scheme " + d);
        break;
      case Field::kMethod:
        parts.push_back("method " + d);
        break;
      case Field::kAuthority:
        parts.push_back("authority " + d);
        break;
      case Field::kHeader:
        parts.push_back(fmt::format("header \"{}\" {}", c.key, d));
        break;
      case Field::kQueryParam:
        parts.push_back(fmt::format("query parameter \"{}\" {}", c.key, d));
        break;
      case Field::kWithoutHeader:
        parts.push_back(c.matcher.is_presence() ? fmt::format("header \"{}\" absent", c.key)
                                                : fmt::format("header \"{}\" not {}", c.key, d));
        break;
    }
  }
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
