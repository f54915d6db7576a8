// demo-upstream: a scriptable HTTP/1.1 upstream for demos and switchyard's integration tests.
// See --help (options.cc) for the flags and the per-request controls.
#include <cstdio>

#include "options.h"
#include "server.h"

int main(int argc, char** argv) {
  auto parsed = demo::parse_options(argc, argv);
  if (!parsed.options) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  return demo::run_server(*parsed.options);
}
