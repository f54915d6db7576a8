#include "http/http1/request_parser.h"

#include "http/http1/beast_driver.h"

namespace sy::http::h1 {

struct RequestParser::Impl {
  explicit Impl(const ParserLimits& limits) : driver(limits) {}
  detail::Driver<true> driver;
};

RequestParser::RequestParser(const ParserLimits& limits) : impl_(std::make_unique<Impl>(limits)) {}
RequestParser::~RequestParser() = default;
RequestParser::RequestParser(RequestParser&&) noexcept = default;
RequestParser& RequestParser::operator=(RequestParser&&) noexcept = default;

ParseStep RequestParser::parse(std::string_view input) { return impl_->driver.parse(input); }
RequestHead& RequestParser::head() noexcept { return impl_->driver.head(); }
RequestHead RequestParser::take_head() noexcept { return std::move(impl_->driver.head()); }
const HeaderMap& RequestParser::trailers() const noexcept { return impl_->driver.trailers(); }
ParseError RequestParser::error() const noexcept { return impl_->driver.error(); }
bool RequestParser::idle() const noexcept { return impl_->driver.idle(); }

ParseError RequestParser::on_eof() noexcept {
  const ParseStep s = impl_->driver.eof();
  return s.event == ParseEvent::Error ? impl_->driver.error() : ParseError::None;
}

}  // namespace sy::http::h1
