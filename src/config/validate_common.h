// Building blocks shared by the per-object validators and the analyzers: a reporter that pins
// messages to an object's file/line, and checks for Istio's scalar types (durations, percents,
// StringMatch, DNS names, labels, ports, exportTo). Internal to src/config.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/common.h"

namespace sy::config::detail {

// Writes diagnostics for one object; every message gets the object's kind, "namespace/name",
// the field path and the line of that path. Borrowed references: lives for one validate call.
class Reporter {
 public:
  Reporter(Diagnostics& out, std::string_view kind, const ObjectMeta& meta, const Source& source)
      : out_(out), kind_(kind), meta_(meta), source_(source) {}

  void error(const std::string& path, std::string message) { add(Severity::kError, path, std::move(message)); }
  void warning(const std::string& path, std::string message) { add(Severity::kWarning, path, std::move(message)); }
  const ObjectMeta& meta() const { return meta_; }

 private:
  void add(Severity severity, const std::string& path, std::string message);

  Diagnostics& out_;
  std::string kind_;
  const ObjectMeta& meta_;
  const Source& source_;
};

// "ns/name" as printed in diagnostics.
std::string object_name(const ObjectMeta& meta);

// Istio's ValidateDuration: whole milliseconds and at least 1ms. Returns the problem, if any.
std::optional<std::string> duration_problem(Duration d);
// Reports `duration_problem` for a set optional duration; `allow_zero` admits exactly 0s.
void check_duration(Reporter& r, const std::string& path, const std::optional<Duration>& d, bool allow_zero = false);

// Percent must be 0 or within [0.0001, 100].
void check_percent(Reporter& r, const std::string& path, const std::optional<Percent>& p);

// StringMatch checks. `where` is the name Istio prints ("uri", "headers", ...); `reject_empty_prefix`
// enables the empty-prefix error (headers/scheme/method/authority/queryParams).
void check_string_match(Reporter& r, const std::string& path, std::string_view where, const StringMatch& m,
                        bool reject_empty_prefix);
// RE2 compile + length check; returns Istio-style text without the `"where": ` prefix.
std::optional<std::string> regex_problem(const std::string& pattern);

bool is_dns1123_label(std::string_view s);
// A DNS name with an optional whole-left-most-label wildcard (`*`, `*.example.com`); with
// `allow_partial_wildcard` also `*` or `*-` before a left-most label (`*x`, `*-foo.com`), which
// Istio's ValidateWildcardDomain accepts. Returns the problem, if any.
std::optional<std::string> wildcard_domain_problem(std::string_view host, bool allow_partial_wildcard = false);
// Istio's ValidateUnixAddress on what follows `unix://`: `@name` (an abstract socket) or an
// absolute path to a file (not ending in "/"). Returns the problem, if any.
std::optional<std::string> unix_address_problem(std::string_view address);
// Same as above without wildcards.
std::optional<std::string> fqdn_problem(std::string_view host);

// Label keys ([prefix/]name) and values as Kubernetes accepts them.
void check_labels(Reporter& r, const std::string& path, const Labels& labels);

bool valid_port_number(uint64_t n);
void check_port_number(Reporter& r, const std::string& path, uint64_t n);

// exportTo: ".", "*", "~" or namespace names; "*" / "~" cannot be mixed with others.
void check_export_to(Reporter& r, const std::string& path, const std::vector<std::string>& export_to, bool allow_none);

// True when an object in `owner_ns` with `export_to` is visible from namespace `ns`.
bool visible_from(const std::vector<std::string>& export_to, std::string_view owner_ns, std::string_view ns);

// IPv4/IPv6 address or CIDR.
bool is_cidr(std::string_view s);

std::string indexed(const std::string& path, size_t i);            // path + "[i]"
std::string keyed(const std::string& path, std::string_view key);  // path + "." + key

}  // namespace sy::config::detail
