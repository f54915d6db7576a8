#include "core/duration.h"

#include <cctype>
#include <cmath>
#include <cstdint>

namespace sy {
namespace {

struct Unit {
  std::string_view name;
  double nanos;
};

// Longest names first so "ms" is not read as "m" followed by garbage.
constexpr Unit kUnits[] = {
    {"ns", 1.0}, {"us", 1e3}, {"\xC2\xB5s", 1e3}, {"\xCE\xBCs", 1e3},
    {"ms", 1e6}, {"s", 1e9},  {"m", 60e9},        {"h", 3600e9},
};

bool fail(std::string* error, std::string msg) {
  if (error) *error = std::move(msg);
  return false;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text, std::string* error) {
  const std::string original(text);
  if (text.empty()) {
    fail(error, "invalid duration \"\"");
    return std::nullopt;
  }
  bool negative = false;
  if (text.front() == '-' || text.front() == '+') {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return Duration::zero();
  if (text.empty()) {
    fail(error, "invalid duration \"" + original + "\"");
    return std::nullopt;
  }
  long double total = 0;
  while (!text.empty()) {
    size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    std::string_view number = text.substr(0, i);
    if (number.empty() || number == "." || number.find('.') != number.rfind('.')) {
      fail(error, "invalid duration \"" + original + "\"");
      return std::nullopt;
    }
    text.remove_prefix(i);
    size_t j = 0;
    while (j < text.size() && !std::isdigit(static_cast<unsigned char>(text[j])) && text[j] != '.') ++j;
    std::string_view unit_name = text.substr(0, j);
    text.remove_prefix(j);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (u.name == unit_name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) {
      fail(error, unit_name.empty()
                      ? "missing unit in duration \"" + original + "\""
                      : "unknown unit \"" + std::string(unit_name) + "\" in duration \"" + original + "\"");
      return std::nullopt;
    }
    total += std::stold(std::string(number)) * static_cast<long double>(unit->nanos);
    if (total > static_cast<long double>(INT64_MAX)) {
      fail(error, "invalid duration \"" + original + "\": out of range");
      return std::nullopt;
    }
  }
  auto nanos = static_cast<int64_t>(std::llround(static_cast<double>(total)));
  return Duration(negative ? -nanos : nanos);
}

std::string format_duration(Duration d) {
  using std::chrono::duration_cast;
  const int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string out = ns < 0 ? "-" : "";
  int64_t v = ns < 0 ? -ns : ns;
  if (v < 1'000'000) {
    if (v % 1000 == 0) return out + std::to_string(v / 1000) + "us";
    return out + std::to_string(v) + "ns";
  }
  if (v < 1'000'000'000) {
    if (v % 1'000'000 == 0) return out + std::to_string(v / 1'000'000) + "ms";
    return out + std::to_string(static_cast<double>(v) / 1e6) + "ms";
  }
  int64_t h = v / 3'600'000'000'000;
  v %= 3'600'000'000'000;
  int64_t m = v / 60'000'000'000;
  v %= 60'000'000'000;
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (v) {
    int64_t s = v / 1'000'000'000, frac = v % 1'000'000'000;
    std::string sec = std::to_string(s);
    if (frac) {
      std::string f = std::to_string(frac + 1'000'000'000).substr(1);
      while (!f.empty() && f.back() == '0') f.pop_back();
      sec += "." + f;
    }
    out += sec + "s";
  }
  return out;
}

}  // namespace sy
