// HeaderMap: the header list of one HTTP message on the request path.
//
// Layout, chosen so that parsing a request does not allocate per header:
//  - an array of (name, value) string_views, in wire order. It grows when full and keeps its
//    capacity across clear(), so a reused map (one per connection) stops allocating once warm.
//    How many fields a peer may send is the codec's limit (ParserLimits::max_fields, 431 beyond
//    it), not the map's: headers the proxy adds after parsing must never be dropped for room;
//  - one contiguous "block" holding the raw head bytes as received; parsed entries point into it;
//  - an arena of chunks for names/values added later (add/set/intern); it grows a chunk at a time
//    and is only touched when the proxy edits headers.
// Views handed out stay valid until the map is cleared or destroyed (moving the map keeps them
// valid: both stores live on the heap). Owned by one request, touched by its worker thread only.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace sy::http {

// ASCII case-insensitive equality, for header names and tokens. No allocation, no locale.
bool iequals(std::string_view a, std::string_view b) noexcept;

class HeaderMap {
 public:
  struct Entry {
    std::string_view name;   // as received (any case); compare with iequals
    std::string_view value;  // OWS already trimmed by the codec
  };

  HeaderMap();
  ~HeaderMap();
  HeaderMap(HeaderMap&& other) noexcept;
  HeaderMap& operator=(HeaderMap&& other) noexcept;
  // Deep copy: entries are re-pointed into the copy's own storage.
  HeaderMap(const HeaderMap& other);
  HeaderMap& operator=(const HeaderMap& other);

  std::size_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }
  const Entry* begin() const noexcept { return entries_.data(); }
  const Entry* end() const noexcept { return entries_.data() + count_; }
  const Entry& operator[](std::size_t i) const noexcept { return entries_[i]; }

  // First value of `name`, if present. Joining repeated fields is the caller's job: see values().
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return get(name).has_value(); }
  std::size_t count(std::string_view name) const noexcept;

  // Every value of `name`, in wire order: `for (auto v : map.values("accept")) ...`.
  class ValueRange;
  ValueRange values(std::string_view name) const noexcept;

  // Edits copy name and value into the arena.
  void add(std::string_view name, std::string_view value);
  // Replaces the first `name` in place (keeping its position) and removes the others.
  void set(std::string_view name, std::string_view value);
  // Removes every `name`; returns how many were removed. Order of the rest is kept.
  std::size_t remove(std::string_view name) noexcept;
  // Removes entries for which pred(entry) is true.
  template <class Pred>
  std::size_t remove_if(Pred pred) noexcept;
  // Copies `s` into the arena; the view lives as long as the map (used for rewritten targets).
  std::string_view intern(std::string_view s);

  // Empties the map but keeps block and arena capacity, so a connection reusing its head does
  // not allocate again in steady state.
  void clear() noexcept;

  // --- Codec side -------------------------------------------------------------------------
  // Appends an entry whose views point into a caller buffer (the parser's input). They must be
  // made owned with own_block() before that buffer changes.
  void add_borrowed(std::string_view name, std::string_view value);
  // Copies `raw` (the whole head as received) into the block, re-points every entry that lies
  // inside `raw` into the copy, and returns the copy. Use rebase() for other views into `raw`.
  std::string_view own_block(std::string_view raw);
  // Maps a view inside `raw` to the same bytes inside `copy` (the result of own_block).
  static std::string_view rebase(std::string_view v, std::string_view raw, std::string_view copy) noexcept;
  // Translates a view owned by `from` (its block or arena) into this map, which must be a copy
  // of `from`: block views are re-pointed, anything else is interned.
  std::string_view translate(std::string_view v, const HeaderMap& from);

 private:
  struct Chunk {
    std::unique_ptr<char[]> data;
    std::size_t size = 0;
  };
  char* arena_alloc(std::size_t n);
  void copy_from(const HeaderMap& other);
  bool in_block(std::string_view v) const noexcept;
  void append(Entry e);

  std::size_t count_ = 0;
  std::vector<Entry> entries_;  // entries_[0, count_) are live; the rest is spare capacity
  std::unique_ptr<char[]> block_;
  std::size_t block_cap_ = 0;
  std::size_t block_len_ = 0;
  std::vector<Chunk> chunks_;
  std::size_t chunk_index_ = 0;  // chunk currently being filled
  std::size_t chunk_used_ = 0;   // bytes used in chunks_[chunk_index_]
};

// Forward range over the values of one header name. Holds a reference to the map.
class HeaderMap::ValueRange {
 public:
  class iterator {
   public:
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    iterator(const Entry* at, const Entry* end, std::string_view name) : at_(at), end_(end), name_(name) { skip(); }
    std::string_view operator*() const noexcept { return at_->value; }
    iterator& operator++() noexcept {
      ++at_;
      skip();
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const iterator& o) const noexcept { return at_ == o.at_; }

   private:
    void skip() noexcept {
      while (at_ != end_ && !iequals(at_->name, name_)) ++at_;
    }
    const Entry* at_ = nullptr;
    const Entry* end_ = nullptr;
    std::string_view name_;
  };
  ValueRange(const Entry* first, const Entry* last, std::string_view name) : first_(first), last_(last), name_(name) {}
  iterator begin() const noexcept { return {first_, last_, name_}; }
  iterator end() const noexcept { return {last_, last_, name_}; }

 private:
  const Entry* first_;
  const Entry* last_;
  std::string_view name_;
};

inline HeaderMap::ValueRange HeaderMap::values(std::string_view name) const noexcept {
  return ValueRange(begin(), end(), name);
}

template <class Pred>
std::size_t HeaderMap::remove_if(Pred pred) noexcept {
  std::size_t out = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    if (pred(entries_[i])) continue;
    if (out != i) entries_[out] = entries_[i];
    ++out;
  }
  const std::size_t removed = count_ - out;
  count_ = out;
  return removed;
}

}  // namespace sy::http
