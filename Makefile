# Vigie — the two commands of the Quick start are `make run` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
DB         ?= ./var/vigie.db
LISTEN     ?= 127.0.0.1:8080
MESON_SETUP = meson setup --reconfigure

.PHONY: all deps build run test unit integration e2e fuzz-replay bench clean release

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release -Dtests=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD) vigie

# Create the database and the first admin account if needed, then serve.
run: build
	@mkdir -p var
	$(BUILD)/vigie --db $(DB) setup
	exec $(BUILD)/vigie --db $(DB) serve --listen $(LISTEN)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dtests=true

# Unit tests, fuzz corpus replay and integration tests, under ASan+UBSan.
test: 
	@scripts/install-deps --test
	@$(MAKE) --no-print-directory $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  python3 tests/integration/run.py --vigie $(ASAN_BUILD)/vigie
	@$(MAKE) --no-print-directory e2e

# End-to-end tests of the web console: Debian's chromium driven by
# playwright-core (tests/e2e), against the real daemon. Needs Node.js >= 20.
e2e: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD) vigie
	@if ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null; then \
	  echo "e2e: SKIPPED: playwright-core needs Node.js >= 20 (found: $$(node --version 2>/dev/null || echo none))"; \
	else \
	  cd tests/e2e && npm ci --no-audit --no-fund --silent && \
	  VIGIE_BIN=$(ASAN_BUILD)/vigie node --test --test-concurrency=1; \
	fi

unit: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD) && meson test -C $(ASAN_BUILD) --print-errorlogs

integration: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD) vigie && python3 tests/integration/run.py --vigie $(ASAN_BUILD)/vigie

# Benchmarks build optimised (see docs/PERFORMANCE.md).
bench: deps
	@test -f build-bench/build.ninja || meson setup build-bench --buildtype=release -Dtests=true
	ninja -C build-bench
	bench/run-all build-bench

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-bench
