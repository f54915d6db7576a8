// Command-line options of demo-upstream, a scriptable HTTP/1.1 test upstream.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace demo {

// One --listen ADDR:PORT. Port 0 asks the kernel for a free port (see --port-file).
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

// Parsed flags. Owned by main(); the server copies what it needs before threads start.
struct Options {
  std::vector<ListenAddress> listen;  // defaults to 127.0.0.1:8080 when none is given
  std::string port_file;              // empty: do not write one
  std::string name = "demo-upstream";
  std::string version = "v1";
  unsigned threads = 1;
  bool quiet = false;
};

// Either options to run with, or a reason to exit: `exit_code` 0 after --help, 2 on a bad flag.
struct ParseOutcome {
  std::optional<Options> options;
  int exit_code = 0;
  std::string message;  // help text or the error, for the caller to print
};

ParseOutcome parse_options(int argc, char** argv);

std::string help_text();

}  // namespace demo
