#include "http/header_map.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace sy::http {
namespace {

// Lower-case table for ASCII; bytes >= 0x80 map to themselves (obs-text is compared exactly).
constexpr std::array<unsigned char, 256> make_lower() {
  std::array<unsigned char, 256> t{};
  for (int i = 0; i < 256; ++i) t[i] = static_cast<unsigned char>(i >= 'A' && i <= 'Z' ? i + 32 : i);
  return t;
}
constexpr auto kLower = make_lower();

// Room for a typical request's fields (browsers send 10-25) before the first growth.
constexpr std::size_t kFirstEntries = 32;

// Arena chunks start small: most requests never edit headers, and the ones that do add a few.
constexpr std::size_t kFirstChunk = 512;

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  const auto* pa = reinterpret_cast<const unsigned char*>(a.data());
  const auto* pb = reinterpret_cast<const unsigned char*>(b.data());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (pa[i] != pb[i] && kLower[pa[i]] != kLower[pb[i]]) return false;
  }
  return true;
}

HeaderMap::HeaderMap() = default;
HeaderMap::~HeaderMap() = default;

HeaderMap::HeaderMap(HeaderMap&& other) noexcept
    : count_(other.count_),
      entries_(std::move(other.entries_)),
      block_(std::move(other.block_)),
      block_cap_(other.block_cap_),
      block_len_(other.block_len_),
      chunks_(std::move(other.chunks_)),
      chunk_index_(other.chunk_index_),
      chunk_used_(other.chunk_used_) {
  other.count_ = 0;
  other.entries_.clear();
  other.block_cap_ = other.block_len_ = 0;
  other.chunks_.clear();
  other.chunk_index_ = other.chunk_used_ = 0;
}

HeaderMap& HeaderMap::operator=(HeaderMap&& other) noexcept {
  if (this == &other) return *this;
  count_ = other.count_;
  entries_ = std::move(other.entries_);
  block_ = std::move(other.block_);
  block_cap_ = other.block_cap_;
  block_len_ = other.block_len_;
  chunks_ = std::move(other.chunks_);
  chunk_index_ = other.chunk_index_;
  chunk_used_ = other.chunk_used_;
  other.count_ = 0;
  other.entries_.clear();
  other.block_cap_ = other.block_len_ = 0;
  other.chunks_.clear();
  other.chunk_index_ = other.chunk_used_ = 0;
  return *this;
}

HeaderMap::HeaderMap(const HeaderMap& other) { copy_from(other); }

HeaderMap& HeaderMap::operator=(const HeaderMap& other) {
  if (this != &other) {
    clear();
    copy_from(other);
  }
  return *this;
}

void HeaderMap::copy_from(const HeaderMap& other) {
  if (other.block_len_ > 0) own_block(std::string_view(other.block_.get(), other.block_len_));
  count_ = 0;
  entries_.reserve(other.count_);
  for (const Entry& e : other) append(Entry{translate(e.name, other), translate(e.value, other)});
}

bool HeaderMap::in_block(std::string_view v) const noexcept {
  const char* b = block_.get();
  // Pointer comparison through uintptr_t: views may point anywhere.
  const auto p = reinterpret_cast<std::uintptr_t>(v.data());
  const auto lo = reinterpret_cast<std::uintptr_t>(b);
  return b != nullptr && p >= lo && p + v.size() <= lo + block_len_;
}

std::string_view HeaderMap::translate(std::string_view v, const HeaderMap& from) {
  if (v.empty()) return {};
  if (from.in_block(v)) return {block_.get() + (v.data() - from.block_.get()), v.size()};
  return intern(v);
}

std::optional<std::string_view> HeaderMap::get(std::string_view name) const noexcept {
  for (const Entry& e : *this) {
    if (iequals(e.name, name)) return e.value;
  }
  return std::nullopt;
}

std::size_t HeaderMap::count(std::string_view name) const noexcept {
  std::size_t n = 0;
  for (const Entry& e : *this) n += iequals(e.name, name) ? 1 : 0;
  return n;
}

char* HeaderMap::arena_alloc(std::size_t n) {
  while (chunk_index_ < chunks_.size()) {
    Chunk& c = chunks_[chunk_index_];
    if (c.size - chunk_used_ >= n) {
      char* p = c.data.get() + chunk_used_;
      chunk_used_ += n;
      return p;
    }
    // Leave the tail of this chunk unused; kept chunks are reused after clear().
    ++chunk_index_;
    chunk_used_ = 0;
  }
  const std::size_t grow = chunks_.empty() ? kFirstChunk : chunks_.back().size * 2;
  const std::size_t size = std::max(grow, n);
  chunks_.push_back(Chunk{std::make_unique<char[]>(size), size});
  chunk_index_ = chunks_.size() - 1;
  chunk_used_ = n;
  return chunks_.back().data.get();
}

std::string_view HeaderMap::intern(std::string_view s) {
  if (s.empty()) return {};
  char* p = arena_alloc(s.size());
  std::memcpy(p, s.data(), s.size());
  return {p, s.size()};
}

void HeaderMap::append(Entry e) {
  if (count_ == entries_.size()) entries_.resize(std::max(kFirstEntries, entries_.size() * 2));
  entries_[count_++] = e;
}

void HeaderMap::add(std::string_view name, std::string_view value) { append(Entry{intern(name), intern(value)}); }

void HeaderMap::set(std::string_view name, std::string_view value) {
  for (std::size_t i = 0; i < count_; ++i) {
    if (!iequals(entries_[i].name, name)) continue;
    entries_[i].value = intern(value);
    const std::string_view kept = entries_[i].name;
    std::size_t out = i + 1;
    for (std::size_t j = i + 1; j < count_; ++j) {
      if (iequals(entries_[j].name, kept)) continue;
      entries_[out++] = entries_[j];
    }
    count_ = out;
    return;
  }
  add(name, value);
}

std::size_t HeaderMap::remove(std::string_view name) noexcept {
  return remove_if([name](const Entry& e) { return iequals(e.name, name); });
}

void HeaderMap::clear() noexcept {
  count_ = 0;
  block_len_ = 0;
  chunk_index_ = 0;
  chunk_used_ = 0;
}

void HeaderMap::add_borrowed(std::string_view name, std::string_view value) { append(Entry{name, value}); }

std::string_view HeaderMap::rebase(std::string_view v, std::string_view raw, std::string_view copy) noexcept {
  const auto p = reinterpret_cast<std::uintptr_t>(v.data());
  const auto lo = reinterpret_cast<std::uintptr_t>(raw.data());
  if (v.empty() || p < lo || p + v.size() > lo + raw.size()) return v;
  return {copy.data() + (p - lo), v.size()};
}

std::string_view HeaderMap::own_block(std::string_view raw) {
  if (raw.size() > block_cap_) {
    // Round up so a connection's later, slightly larger heads reuse the buffer.
    const std::size_t cap = std::max<std::size_t>(raw.size(), 1024);
    block_ = std::make_unique<char[]>(cap);
    block_cap_ = cap;
  }
  if (!raw.empty()) std::memcpy(block_.get(), raw.data(), raw.size());
  block_len_ = raw.size();
  const std::string_view copy(block_.get(), block_len_);
  for (std::size_t i = 0; i < count_; ++i) {
    entries_[i].name = rebase(entries_[i].name, raw, copy);
    entries_[i].value = rebase(entries_[i].value, raw, copy);
  }
  return copy;
}

}  // namespace sy::http
