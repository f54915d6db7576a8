#include "options.h"

#include <charconv>
#include <string_view>

namespace demo {
namespace {

template <typename T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

// Accepts "HOST:PORT", "[V6]:PORT" and ":PORT" (meaning 127.0.0.1).
std::optional<ListenAddress> parse_listen(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  ListenAddress out;
  out.host = host.empty() ? "127.0.0.1" : std::string(host);
  if (!parse_number(text.substr(colon + 1), out.port)) return std::nullopt;
  return out;
}

ParseOutcome fail(std::string message) { return {std::nullopt, 2, "demo-upstream: " + message + "\n(try --help)\n"}; }

}  // namespace

std::string help_text() {
  return R"(demo-upstream: a scriptable HTTP/1.1 upstream for demos and gateway tests.

Usage: demo-upstream [flags]

Flags:
  --listen ADDR:PORT   address to serve on; repeatable (default 127.0.0.1:8080).
                       Port 0 picks a free port; combine with --port-file.
  --port-file PATH     after binding, write the chosen ports (one per line, in
                       --listen order) to PATH, atomically.
  --name NAME          reported in x-upstream-name and the JSON body
                       (default demo-upstream).
  --version V          reported in x-upstream-version (default v1).
  --threads N          worker threads, one io_context each (default 1).
  --quiet              no per-request log line on stderr.
  --help               this text.

Every response carries x-upstream-name, x-upstream-version and x-upstream-port.
By default the body is JSON echoing the request:
  {"name","version","port","method","path","query","headers":{...},
   "body_bytes":N,"conn_id":C,"conn_request":K}
(conn_id identifies the TCP connection, conn_request counts requests on it.)

Per-request controls, as query parameters or x-demo-* headers (a header wins;
underscores become dashes, e.g. x-demo-fail-times):
  delay=MS                 wait MS milliseconds before responding
  status=N                 respond with status N (200..999)
  reset=1                  close the connection with a TCP RST instead of responding
  reset_after_headers=1    send the response headers, then RST
  size=BYTES               stream a generated body of BYTES bytes instead of JSON
  chunked=1                with size: chunked transfer-encoding (default: content-length)
  fail_times=N, key=K      the first N requests carrying key K fail (with status,
                           default 500, or reset / reset_after_headers); later ones
                           succeed with 200. Counters are per key (default key "default").
  close=1                  respond with Connection: close and close afterwards

Special paths:
  GET  /_stats             {"requests":N,"connections":C,"by_key":{K:n}}
  POST /_reset_stats       zero all counters (including fail_times progress)
  GET  /websocket          with Upgrade: websocket, echoes every message back

Keep-alive, HEAD, pipelining and Expect: 100-continue are supported. Request
bodies are streamed and counted, never buffered whole. SIGTERM/SIGINT stop
accepting, let in-flight requests finish (up to 2 s) and exit 0.
)";
}

ParseOutcome parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view value;
    bool has_inline_value = false;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline_value = true;
    }
    auto take_value = [&]() -> bool {
      if (has_inline_value) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };

    if (arg == "--help" || arg == "-h") return {std::nullopt, 0, help_text()};
    if (arg == "--quiet") {
      options.quiet = true;
      continue;
    }
    if (arg != "--listen" && arg != "--port-file" && arg != "--name" && arg != "--version" && arg != "--threads") {
      return fail("unknown flag " + std::string(arg));
    }
    if (!take_value()) return fail(std::string(arg) + " needs a value");

    if (arg == "--listen") {
      auto address = parse_listen(value);
      if (!address) return fail("--listen wants ADDR:PORT, got " + std::string(value));
      options.listen.push_back(*address);
    } else if (arg == "--port-file") {
      options.port_file = value;
    } else if (arg == "--name") {
      options.name = value;
    } else if (arg == "--version") {
      options.version = value;
    } else if (arg == "--threads") {
      if (!parse_number(value, options.threads) || options.threads == 0 || options.threads > 256) {
        return fail("--threads wants 1..256, got " + std::string(value));
      }
    }
  }
  if (options.listen.empty()) options.listen.push_back({"127.0.0.1", 8080});
  return {std::move(options), 0, {}};
}

}  // namespace demo
