// demo-upstream's process lifecycle: bind listeners, run one io_context per worker thread,
// drain on SIGTERM/SIGINT.
#pragma once

#include "options.h"

namespace demo {

// Runs until a signal arrives and in-flight requests finish (bounded). Returns the exit code:
// 0 after a clean shutdown, 1 if a listener could not be set up.
int run_server(const Options& options);

}  // namespace demo
