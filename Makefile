# The two commands a newcomer needs: `make run` and `make test`. Everything else is for developers.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# switchyard runs on io_uring where the kernel allows it and on epoll elsewhere (docs/performance.md);
# IO_URING=0 builds the epoll event loop only.
CMAKE_FLAGS += -DSWITCHYARD_IO_URING=$(if $(filter 0 OFF off no,$(IO_URING)),OFF,ON)

.PHONY: deps build run test test-asan bench-micro bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@bash examples/quickstart/run.sh $(BUILD)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Same tests under AddressSanitizer + UBSan. The multi-GiB streaming tests and the benchmark smoke
# run are left out: they measure the Release build's throughput and memory, not correctness.
test-asan: deps
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWITCHYARD_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) -E "streaming|bench_micro"

bench-micro: build
	@$(BUILD)/bench_micro

# Side-by-side benchmark against haproxy and nginx (targets in docs/performance.md); about 13 minutes (HTTP/1.1, open loop, HTTPS, handshakes, h2c, gRPC, idle memory).
# Pass bench.py flags through BENCH_ARGS, e.g. BENCH_ARGS="--scenarios a --rounds 5".
bench: build
	@SKIP_BUILD=1 BUILD=$(BUILD) bash bench/run.sh $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) build-asan

# --- Hostile input (docs/hardening.md) -----------------------------------------------------------
.PHONY: fuzz test-tsan lint format

# libFuzzer over every fuzz/ target for FUZZ_SECONDS each (clang-14, ASan + UBSan, build-fuzz).
# Inputs that add coverage collect in build-fuzz/corpus/<target> (not in git; later runs resume
# from it). A crash, timeout or OOM input is written to fuzz/regressions/<target>/, where `make
# test` replays it from then on: commit it with the fix. Fails if any target failed.
# -timeout=5: units take milliseconds; a short timeout also fires before an allocation loop
# reaches the RSS limit (libFuzzer's out-of-memory report walks the whole heap, which can take
# many minutes). `timeout` is the last resort if a target wedges anyway.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= http1_request http1_response http1_chunked config_yaml route_match tls_client_hello h2_server_session grpc_web
FUZZ_ARGS ?=
fuzz: deps
	@cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DSWITCHYARD_FUZZ=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-fuzz --target fuzz_all -j $(JOBS)
	@failed=""; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t fuzz/regressions/$$t; \
	  dict=""; case $$t in http1_*) dict=-dict=fuzz/http1.dict;; *) [ -f fuzz/$$t.dict ] && dict=-dict=fuzz/$$t.dict;; esac; \
	  echo "== fuzz_$$t: $(FUZZ_SECONDS)s, log in build-fuzz/fuzz_$$t.log"; \
	  if timeout -k 10 $$(( $(FUZZ_SECONDS) + 300 )) \
	       build-fuzz/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=5 \
	       -artifact_prefix=fuzz/regressions/$$t/ -print_final_stats=1 $$dict $(FUZZ_ARGS) \
	       build-fuzz/corpus/$$t fuzz/corpus/$$t fuzz/regressions/$$t >build-fuzz/fuzz_$$t.log 2>&1; then \
	    grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)" build-fuzz/fuzz_$$t.log; \
	  else \
	    tail -n 60 build-fuzz/fuzz_$$t.log; failed="$$failed $$t"; \
	  fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: FAILED:$$failed (inputs in fuzz/regressions/)"; exit 1; fi

# The integration tests under ThreadSanitizer: worker threads, the admin thread and reloads share
# snapshots, atomics and post()ed work. No CMake option is needed: the flags go in through
# CMAKE_*_FLAGS. Only the binaries the integration tests start are built. Reports land in
# build-tsan/tsan-reports/ (the gateway's stderr is not always shown by a test) and fail the run.
# Measured 2026-12-07 on 2 cores: a cold build of the four binaries about 40 min, the tests about
# 1 min (test_gateway_streaming is left out: its multi-megabyte bodies take minutes under TSan).
test-tsan: deps
	@cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
	  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" $(CMAKE_FLAGS) >/dev/null
	@targets="switchyard demo-upstream deny-io-uring"; \
	  if ninja -C build-tsan -t targets all | grep -q "^switchyard-epoll:"; then targets="$$targets switchyard-epoll"; fi; \
	  cmake --build build-tsan -j $(JOBS) --target $$targets
	@rm -rf build-tsan/tsan-reports && mkdir -p build-tsan/tsan-reports
	@cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 log_path=$(CURDIR)/build-tsan/tsan-reports/tsan" \
	  ctest --output-on-failure -j $(JOBS) -R "^integration\." -E "streaming|bench"; rc=$$?; \
	  if ls tsan-reports/tsan.* >/dev/null 2>&1; then cat tsan-reports/tsan.*; echo "test-tsan: ThreadSanitizer reports above"; exit 1; fi; \
	  exit $$rc

# clang-format (check only) and clang-tidy over our sources. clang-tidy reads the compile commands
# of build-lint, configured with clang++-14 (GCC-only flags would be noise) and never built;
# -fsized-deallocation because clang before 19 leaves it off and GCC has it on, and
# proxy/exact_heap_allocator.h calls the sized operator delete.
# Test and benchmark files are formatted but not tidied (long table-driven TESTs are fine).
LINT_DIRS := src tools fuzz
LINT_FILES = $(shell git ls-files --cached --others --exclude-standard $(LINT_DIRS) | grep -E '\.(cc|h)$$')
lint: deps
	@echo "== clang-format"; clang-format-14 --dry-run --Werror $(LINT_FILES); fmt=$$?; \
	cmake -S . -B build-lint -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_CXX_FLAGS=-fsized-deallocation \
	  $(CMAKE_FLAGS) >/dev/null && \
	echo "== clang-tidy" && \
	run-clang-tidy-14 -quiet -p build-lint -j $(JOBS) '^(?!.*_(test|bench)\.cc$$).*/(src|tools|fuzz)/.*\.cc$$'; tidy=$$?; \
	if [ $$fmt -ne 0 ] || [ $$tidy -ne 0 ]; then echo "lint: FAILED (clang-format $$fmt, clang-tidy $$tidy)"; exit 1; fi

# Rewrites the same files in place with .clang-format (for the one-off reformat commit).
format:
	@clang-format-14 -i $(LINT_FILES)
