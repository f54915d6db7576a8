// PRIVATE to src/http/http1: the only header that includes Boost.Beast. It adapts Beast's
// basic_parser (callbacks, one object per message, "put() consumes nothing until the head is
// complete") to our pull interface (ParseStep per call) and our types (HeaderMap, heads).
// Included by request_parser.cc and response_parser.cc only; each instantiates one side.
//
// Why Beast and not a hand parser: it is strict where it matters (CRLF only, token names, no
// whitespace before ':', control characters in values, hex chunk sizes with overflow checks),
// fuzzed upstream, and fast enough (see request_parser_bench.cc). What it is lenient about
// (obs-fold, non-chunked Transfer-Encoding on requests, unbounded chunk lines) we reject here.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

#include "http/http1/framing_check.h"
#include "http/http1/head_builder.h"
#include "http/http1/parse_result.h"
#include "http/message.h"

namespace sy::http::h1::detail {

namespace bhttp = boost::beast::http;
using boost::beast::error_code;

Method method_from_verb(bhttp::verb v) noexcept;
// Maps a Beast failure to our error, using what the framing check saw to name smuggling shapes.
ParseError map_beast_error(const error_code& ec, const FramingCheck& check, bool is_request) noexcept;
// While a head is incomplete: false if its first bytes cannot start a request line (a method
// token within 32 bytes) or status line ("HTTP/"), so a TLS hello or junk fails at once instead
// of waiting for a blank line that never comes.
bool plausible_start(std::string_view head_so_far, bool is_request) noexcept;

template <bool isRequest>
class Driver {
 public:
  using Head = std::conditional_t<isRequest, RequestHead, ResponseHead>;

  explicit Driver(const ParserLimits& limits) : limits_(limits) {}
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  ParseStep parse(std::string_view in);
  // Connection closed by the peer. Completes a close-delimited body, else reports truncation.
  ParseStep eof();

  Head& head() noexcept { return head_; }
  HeaderMap& trailers() noexcept { return trailers_; }
  ParseError error() const noexcept { return error_; }
  bool idle() const noexcept { return state_ == State::Idle || state_ == State::Done; }
  void set_request_method(Method m) noexcept { request_method_ = m; }

 private:
  enum class State : std::uint8_t { Idle, InHead, InBody, Done, Failed };

  // Receives Beast's callbacks for one message and forwards them to the driver.
  class Callbacks final : public bhttp::basic_parser<isRequest> {
   public:
    explicit Callbacks(Driver& d) : d_(d) {}

   private:
    void on_request_impl(bhttp::verb v, boost::beast::string_view method, boost::beast::string_view target, int version,
                         error_code& ec) override {
      if constexpr (isRequest) {
        d_.head_.method = method_from_verb(v);
        d_.head_.method_name = {method.data(), method.size()};
        d_.head_.target = {target.data(), target.size()};
        d_.head_.version = version == 10 ? Version::Http10 : Version::Http11;
        d_.check_.reset(true, version == 10);
      }
      (void)ec;
    }
    void on_response_impl(int code, boost::beast::string_view reason, int version, error_code& ec) override {
      if constexpr (!isRequest) {
        d_.head_.status = code;
        d_.head_.reason = {reason.data(), reason.size()};
        d_.head_.version = version == 10 ? Version::Http10 : Version::Http11;
        d_.check_.reset(false, version == 10);
      }
      (void)ec;
    }
    void on_field_impl(bhttp::field, boost::beast::string_view name, boost::beast::string_view value,
                       error_code& ec) override {
      d_.on_field({name.data(), name.size()}, {value.data(), value.size()}, ec);
    }
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
    std::size_t on_body_impl(boost::beast::string_view body, error_code&) override {
      d_.body_ = {body.data(), body.size()};
      return body.size();
    }
    void on_chunk_header_impl(std::uint64_t, boost::beast::string_view ext, error_code& ec) override {
      d_.ext_total_ += ext.size();
      if (d_.ext_total_ > d_.limits_.max_chunk_ext_total) d_.fail_in_callback(ParseError::BadChunkExtension, ec);
    }
    std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, error_code&) override {
      d_.body_ = {body.data(), body.size()};
      return body.size();
    }
    void on_finish_impl(error_code&) override {}

    Driver& d_;
  };

  void start_message();
  void on_field(std::string_view name, std::string_view value, error_code& ec);
  void fail_in_callback(ParseError e, error_code& ec) noexcept {
    own_error_ = e;
    ec = bhttp::error::bad_value;  // any error stops put(); own_error_ says which
  }
  ParseStep fail(ParseError e, std::size_t consumed) noexcept {
    error_ = e;
    state_ = State::Failed;
    return {ParseEvent::Error, consumed, {}};
  }
  ParseError error_from(const error_code& ec) const noexcept {
    return own_error_ != ParseError::None ? own_error_ : map_beast_error(ec, check_, isRequest);
  }
  ParseStep parse_head(std::string_view in, std::size_t skipped);
  ParseStep parse_body(std::string_view in);
  ParseError chunk_meta_limit(std::string_view pending) const noexcept;

  ParserLimits limits_;
  State state_ = State::Idle;
  std::optional<Callbacks> beast_;  // re-emplaced per message: Beast parsers are single-use
  Head head_;
  HeaderMap trailers_;
  FramingCheck check_;
  ParseError error_ = ParseError::None;
  ParseError own_error_ = ParseError::None;
  std::string_view input_;  // the buffer of the put() in progress (field views must lie inside)
  std::string_view body_;   // set by body callbacks during one put()
  std::uint64_t ext_total_ = 0;
  int host_index_ = -1;
  std::size_t scanned_ = 0;              // head bytes already searched for the blank line
  bool pending_done_ = false;            // the message ended inside the put() that produced Head/Body
  Method request_method_ = Method::Get;  // responses: the method of the request answered
};

// === impl Driver ===

template <bool isRequest>
void Driver<isRequest>::start_message() {
  head_.reset();  // keeps the header buffers: no allocation in steady state
  trailers_.clear();
  own_error_ = ParseError::None;
  ext_total_ = 0;
  host_index_ = -1;
  scanned_ = 0;
  pending_done_ = false;
  check_.reset(isRequest, false);
  beast_.emplace(*this);
  beast_->eager(false);  // stop after the head, and after each body piece
  beast_->header_limit(limits_.max_head_bytes);
  beast_->body_limit(boost::none);  // bodies stream; size policy is the proxy's
  if constexpr (!isRequest) {
    if (request_method_ == Method::Head) beast_->skip(true);
  }
}

template <bool isRequest>
void Driver<isRequest>::on_field(std::string_view name, std::string_view value, error_code& ec) {
  if (state_ == State::InBody) {  // trailer fields: copied, they are rare and small
    if (trailers_.size() >= limits_.max_fields) return fail_in_callback(ParseError::TooManyHeaders, ec);
    trailers_.add(name, value);
    return;
  }
  // Beast unfolds obs-fold into a scratch buffer (value outside the input) or, for a fold right
  // after the colon, starts the value on the next line (CR between colon and value).
  const auto lo = reinterpret_cast<std::uintptr_t>(input_.data());
  const auto v = reinterpret_cast<std::uintptr_t>(value.data());
  const char* name_end = name.data() + name.size();
  if (v < lo || v + value.size() > lo + input_.size() ||
      std::memchr(name_end, '\r', static_cast<std::size_t>(value.data() - name_end)) != nullptr) {
    return fail_in_callback(ParseError::ObsFold, ec);
  }
  if (const ParseError e = check_.on_field(name, value); e != ParseError::None) return fail_in_callback(e, ec);
  if (isRequest && host_index_ < 0 && name.size() == 4 && iequals(name, "host")) {
    host_index_ = static_cast<int>(head_.headers.size());
  }
  if (head_.headers.size() >= limits_.max_fields) return fail_in_callback(ParseError::TooManyHeaders, ec);
  head_.headers.add_borrowed(name, value);
}

template <bool isRequest>
ParseStep Driver<isRequest>::parse(std::string_view in) {
  switch (state_) {
    case State::Failed:
      return {ParseEvent::Error, 0, {}};
    case State::Done:
    case State::Idle: {
      std::size_t skipped = 0;
      if constexpr (isRequest) {
        // RFC 9112 section 2.2: ignore empty lines before a request-line (clients add one after
        // a POST body). Bounded so a stream of CRLFs cannot keep us busy for free.
        while (skipped < 8 && in.size() - skipped >= 2 && in[skipped] == '\r' && in[skipped + 1] == '\n') skipped += 2;
        if (in.size() - skipped == 1 && in[skipped] == '\r') return {ParseEvent::NeedMore, skipped, {}};
      }
      if (in.size() == skipped) return {ParseEvent::NeedMore, skipped, {}};
      start_message();
      state_ = State::InHead;
      return parse_head(in.substr(skipped), skipped);
    }
    case State::InHead:
      return parse_head(in, 0);
    case State::InBody:
      if (pending_done_) {
        pending_done_ = false;
        state_ = State::Done;
        return {ParseEvent::Done, 0, {}};
      }
      return parse_body(in);
  }
  return {ParseEvent::Error, 0, {}};
}

template <bool isRequest>
ParseStep Driver<isRequest>::parse_head(std::string_view in, std::size_t skipped) {
  // We find the end of the head before involving Beast: Beast would consume a complete start
  // line while the fields are still incomplete, and we want the whole head in one buffer so it
  // is copied once and every view lands in one block. The same pass refuses bare LF (Beast would
  // sit waiting for CRLFCRLF). scanned_ keeps the work linear when bytes trickle in.
  std::size_t end = 0;
  for (std::size_t i = scanned_; i < in.size();) {
    const void* lf = std::memchr(in.data() + i, '\n', in.size() - i);
    if (lf == nullptr) break;
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(lf) - in.data());
    if (at == 0 || in[at - 1] != '\r') return fail(ParseError::BareLf, skipped);
    if (at >= 3 && in[at - 2] == '\n' && in[at - 3] == '\r') {
      end = at + 1;
      break;
    }
    i = at + 1;
  }
  if (end == 0) {
    if (!plausible_start(in, isRequest))
      return fail(isRequest ? ParseError::BadRequestLine : ParseError::BadStatusLine, skipped);
    if (in.size() > limits_.max_head_bytes) return fail(ParseError::HeaderTooLarge, skipped);
    scanned_ = in.size();
    return {ParseEvent::NeedMore, skipped, {}};
  }
  if (end > limits_.max_head_bytes) return fail(ParseError::HeaderTooLarge, skipped);
  in = in.substr(0, end);
  input_ = in;
  error_code ec;
  const std::size_t n = beast_->put(boost::asio::const_buffer(in.data(), in.size()), ec);
  if (ec) return fail(error_from(ec), skipped);  // need_more cannot happen on a complete head
  // The whole head is in `in` now: copy it once into the head's block and re-point every view.
  const std::string_view raw = in.substr(0, n);
  const std::string_view copy = head_.headers.own_block(raw);
  const ConnectionFacts conn{beast_->keep_alive(), beast_->upgrade()};
  ParseError e;
  if constexpr (isRequest) {
    head_.method_name = HeaderMap::rebase(head_.method_name, raw, copy);
    head_.target = HeaderMap::rebase(head_.target, raw, copy);
    e = finish_request_head(head_, check_, conn, host_index_);
  } else {
    head_.reason = HeaderMap::rebase(head_.reason, raw, copy);
    e = finish_response_head(head_, check_, conn, request_method_);
  }
  input_ = {};
  if (e != ParseError::None) return fail(e, skipped);
  state_ = State::InBody;
  // No body (including a tunnel-opening response, where Beast would keep reading): done next.
  pending_done_ = beast_->is_done() || head_.framing == BodyFraming::None;
  return {ParseEvent::Head, skipped + n, {}};
}

template <bool isRequest>
ParseStep Driver<isRequest>::parse_body(std::string_view in) {
  std::size_t total = 0;
  for (;;) {
    if (total == in.size()) return {ParseEvent::NeedMore, total, {}};
    const std::string_view rest = in.substr(total);
    input_ = rest;
    body_ = {};
    error_code ec;
    total += beast_->put(boost::asio::const_buffer(rest.data(), rest.size()), ec);
    input_ = {};
    if (ec == bhttp::error::need_more) {
      // Only chunk-size lines and trailers make Beast wait; bound what the caller must buffer.
      if (const ParseError e = chunk_meta_limit(in.substr(total)); e != ParseError::None) return fail(e, total);
      return {ParseEvent::NeedMore, total, {}};
    }
    if (ec) return fail(error_from(ec), total);
    if (!body_.empty()) {
      pending_done_ = beast_->is_done();
      return {ParseEvent::Body, total, body_};
    }
    if (beast_->is_done()) {
      state_ = State::Done;
      return {ParseEvent::Done, total, {}};
    }
  }
}

template <bool isRequest>
ParseError Driver<isRequest>::chunk_meta_limit(std::string_view pending) const noexcept {
  if (pending.size() <= limits_.max_chunk_line) return ParseError::None;
  // The CRLF ending the previous chunk's data is parsed together with the next size line.
  if (pending.size() >= 2 && pending[0] == '\r' && pending[1] == '\n') pending.remove_prefix(2);
  const std::string_view line = pending.substr(0, limits_.max_chunk_line);
  if (line.find('\n') == std::string_view::npos) return ParseError::BadChunkExtension;
  // A complete line that Beast still waits on is the last chunk followed by trailers.
  if (pending.size() > limits_.max_trailer_bytes) return ParseError::HeaderTooLarge;
  return ParseError::None;
}

template <bool isRequest>
ParseStep Driver<isRequest>::eof() {
  switch (state_) {
    case State::Idle:
    case State::Done:
      return {ParseEvent::NeedMore, 0, {}};
    case State::Failed:
      return {ParseEvent::Error, 0, {}};
    case State::InHead:
      return fail(ParseError::PartialMessage, 0);
    case State::InBody: {
      if (pending_done_) {
        pending_done_ = false;
        state_ = State::Done;
        return {ParseEvent::Done, 0, {}};
      }
      error_code ec;
      beast_->put_eof(ec);
      if (ec || !beast_->is_done()) return fail(ParseError::PartialMessage, 0);
      state_ = State::Done;
      return {ParseEvent::Done, 0, {}};
    }
  }
  return {ParseEvent::Error, 0, {}};
}

}  // namespace sy::http::h1::detail
