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

# Side-by-side benchmark against haproxy and nginx (issue 7, docs/performance.md); about 7 minutes.
# Pass bench.py flags through BENCH_ARGS, e.g. BENCH_ARGS="--scenarios a --rounds 5".
bench: build
	@SKIP_BUILD=1 BUILD=$(BUILD) bash bench/run.sh $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) build-asan
