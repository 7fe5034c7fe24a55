# Vigie — the two commands of the Quick start are `make run` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
DB         ?= ./var/vigie.db
LISTEN     ?= 127.0.0.1:8080
MESON_SETUP = meson setup --reconfigure

.PHONY: all deps build run test unit integration fuzz-replay bench clean release

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
