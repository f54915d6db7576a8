#include "config/validate_common.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <re2/re2.h>

#include <cctype>
#include <charconv>
#include <set>

#include "config/hostname.h"

namespace sy::config::detail {

void Reporter::add(Severity severity, const std::string& path, std::string message) {
  Diagnostic d;
  d.severity = severity;
  d.file = source_.file;
  d.line = source_.line_of(path);
  d.kind = kind_;
  d.object = object_name(meta_);
  d.path = path;
  d.message = std::move(message);
  out_.add(std::move(d));
}

std::string object_name(const ObjectMeta& meta) { return meta.namespace_ + "/" + meta.name; }

std::optional<std::string> duration_problem(Duration d) {
  using namespace std::chrono_literals;
  if (d < 1ms) return "duration must be greater than 1ms";
  if (d % 1ms != 0ns) return "only durations to ms precision are supported";
  return std::nullopt;
}

void check_duration(Reporter& r, const std::string& path, const std::optional<Duration>& d, bool allow_zero) {
  if (!d) return;
  if (allow_zero && d->count() == 0) return;
  if (auto p = duration_problem(*d)) r.error(path, *p);
}

void check_percent(Reporter& r, const std::string& path, const std::optional<Percent>& p) {
  if (!p) return;
  double v = p->value;
  if (v < 0.0 || v > 100.0 || (v > 0.0 && v < 0.0001))
    r.error(path, fmt::format("percentage {} is neither 0.0, nor in range [0.0001, 100.0]", v));
}

std::optional<std::string> regex_problem(const std::string& pattern) {
  if (pattern.size() > 1024) return "regex is too large, max length allowed is 1024";
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 re(pattern, opts);
  if (!re.ok())
    return fmt::format(
        "error parsing regexp: {}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)",
        re.error());
  return std::nullopt;
}

void check_string_match(Reporter& r, const std::string& path, std::string_view where, const StringMatch& m,
                        bool reject_empty_prefix) {
  switch (m.kind) {
    case StringMatch::Kind::kPrefix:
      if (reject_empty_prefix && m.value.empty())
        r.error(keyed(path, "prefix"), fmt::format("\"{}\": prefix string match should not be empty", where));
      break;
    case StringMatch::Kind::kRegex:
      if (auto p = regex_problem(m.value)) r.error(keyed(path, "regex"), fmt::format("\"{}\": {}", where, *p));
      break;
    case StringMatch::Kind::kExact:
    case StringMatch::Kind::kPresent:
      break;
  }
}

bool is_dns1123_label(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    bool alnum = std::islower(c) || std::isdigit(c);
    if (c == '-') {
      if (i == 0 || i + 1 == s.size()) return false;
    } else if (!alnum) {
      return false;
    }
  }
  return true;
}

// Host labels may carry upper case (Istio lower-cases hosts) but are otherwise DNS-1123 labels.
static bool is_host_label(std::string_view s) { return is_dns1123_label(lower(s)); }

static std::optional<std::string> labels_problem(std::string_view host, std::string_view rest) {
  // A single trailing dot (absolute name) is tolerated.
  if (rest.size() > 1 && rest.back() == '.') rest.remove_suffix(1);
  size_t start = 0;
  while (true) {
    size_t dot = rest.find('.', start);
    std::string_view label = dot == std::string_view::npos ? rest.substr(start) : rest.substr(start, dot - start);
    if (!is_host_label(label)) return fmt::format("domain name \"{}\" invalid (label \"{}\" invalid)", host, label);
    if (dot == std::string_view::npos) return std::nullopt;
    start = dot + 1;
  }
}

std::optional<std::string> wildcard_domain_problem(std::string_view host, bool allow_partial_wildcard) {
  if (host.empty()) return std::string("empty domain name not allowed");
  if (host.size() > 255) return fmt::format("domain name \"{}\" too long (max 255)", host);
  if (host == "*") return std::nullopt;
  if (host.starts_with("*.")) return labels_problem(host, host.substr(2));
  // Istio's IsWildcardDNS1123Label also takes `*` or `*-` in front of a label ("*x", "*-foo").
  if (allow_partial_wildcard && host.front() == '*') {
    size_t dot = host.find('.');
    std::string_view first = host.substr(1, dot == std::string_view::npos ? std::string_view::npos : dot - 1);
    if (first.starts_with("-")) first.remove_prefix(1);
    const size_t label_size = dot == std::string_view::npos ? host.size() : dot;
    if (label_size > 63 || !is_host_label(first))
      return fmt::format("domain name \"{}\" invalid (label \"{}\" invalid)", host,
                         host.substr(0, dot == std::string_view::npos ? host.size() : dot));
    return dot == std::string_view::npos ? std::nullopt : labels_problem(host, host.substr(dot + 1));
  }
  if (host.find('*') != std::string_view::npos)
    return fmt::format("domain name \"{}\" invalid (wildcard must be the whole left-most label)", host);
  return labels_problem(host, host);
}

std::optional<std::string> unix_address_problem(std::string_view address) {
  if (address.empty()) return std::string("unix address must not be empty");
  if (address.front() == '@') return std::nullopt;  // Linux abstract socket
  if (address.front() != '/' || address.back() == '/')
    return fmt::format("{} is not an absolute path to a file", address);
  return std::nullopt;
}

std::optional<std::string> fqdn_problem(std::string_view host) {
  if (host.find('*') != std::string_view::npos)
    return fmt::format("domain name \"{}\" must not contain a wildcard", host);
  return wildcard_domain_problem(host);
}

// Kubernetes qualified name: [dns-subdomain/]name, name ≤63 chars of [A-Za-z0-9_.-] with alnum ends.
static bool is_qualified_name_part(std::string_view s, bool allow_empty) {
  if (s.empty()) return allow_empty;
  if (s.size() > 63) return false;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

void check_labels(Reporter& r, const std::string& path, const Labels& labels) {
  for (const auto& [key, value] : labels) {
    std::string_view k = key;
    std::string_view name = k;
    if (size_t slash = k.find('/'); slash != std::string_view::npos) {
      std::string_view prefix = k.substr(0, slash);
      name = k.substr(slash + 1);
      if (prefix.empty() || prefix.size() > 253 || fqdn_problem(prefix))
        r.error(keyed(path, key), fmt::format("invalid label key \"{}\": prefix must be a DNS subdomain", key));
    }
    if (!is_qualified_name_part(name, false)) r.error(keyed(path, key), fmt::format("invalid label key \"{}\"", key));
    if (!is_qualified_name_part(value, true))
      r.error(keyed(path, key), fmt::format("invalid label value \"{}\" for key \"{}\"", value, key));
  }
}

bool valid_port_number(uint64_t n) { return n >= 1 && n <= 65535; }

void check_port_number(Reporter& r, const std::string& path, uint64_t n) {
  if (!valid_port_number(n)) r.error(path, fmt::format("port number {} must be in the range 1..65535", n));
}

void check_export_to(Reporter& r, const std::string& path, const std::vector<std::string>& export_to, bool allow_none) {
  std::set<std::string> seen;
  bool has_star = false, has_none = false;
  for (size_t i = 0; i < export_to.size(); ++i) {
    const std::string& e = export_to[i];
    if (!seen.insert(e).second) r.error(indexed(path, i), fmt::format("duplicate entries in exportTo: {}", e));
    if (e == "*") {
      has_star = true;
    } else if (e == "~") {
      has_none = true;
      if (!allow_none) r.error(indexed(path, i), "exportTo \"~\" is not supported for this kind");
    } else if (e != "." && !is_dns1123_label(e)) {
      r.error(indexed(path, i), fmt::format("invalid namespace \"{}\" in exportTo", e));
    }
  }
  if ((has_star || has_none) && export_to.size() > 1)
    r.error(path, "cannot have both public (*) or private (~) and other entries in exportTo");
}

bool visible_from(const std::vector<std::string>& export_to, std::string_view owner_ns, std::string_view ns) {
  if (export_to.empty()) return true;
  for (const auto& e : export_to) {
    if (e == "*") return true;
    if (e == "." && owner_ns == ns) return true;
    if (e == ns) return true;
  }
  return false;
}

bool is_cidr(std::string_view s) {
  if (s.find('\0') != std::string_view::npos) return false;  // inet_pton would stop at it
  size_t slash = s.find('/');
  std::string ip(s.substr(0, slash));
  unsigned char buf[16];
  int bits;
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1) bits = 32;
  else if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) bits = 128;
  else return false;
  if (slash == std::string_view::npos) return true;
  std::string_view len = s.substr(slash + 1);
  int n = -1;
  auto [ptr, ec] = std::from_chars(len.data(), len.data() + len.size(), n);
  return ec == std::errc() && ptr == len.data() + len.size() && n >= 0 && n <= bits;
}

std::string indexed(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }
std::string keyed(const std::string& path, std::string_view key) { return path + "." + std::string(key); }

}  // namespace sy::config::detail
