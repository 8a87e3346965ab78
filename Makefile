# rviommu top-level Makefile: the two commands, plus developer targets.
#
#   make run     build, then run the main job on the built-in default platform
#   make check   build everything and run every test
#
# Both install missing Debian packages first (apt-get, as root or via sudo)
# and say which ones.  Other targets: check-san (ASan+UBSan), coverage,
# bench, format, install, clean.

MAKEFLAGS  += --no-print-directory

BUILD      ?= build
SAN_BUILD  ?= build-san
COV_BUILD  ?= build-cov
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

DEB_PACKAGES = cmake make gcc pkg-config libcmocka-dev libjansson-dev libfdt-dev device-tree-compiler
# Test-only tools: python3 checks JSON output in tests/cli/*.sh, and
# script(1) from bsdutils gives the progress-line test a terminal.
TEST_PACKAGES = python3 bsdutils
COV_PACKAGES = lcov

.PHONY: all deps build run check check-san coverage bench format install clean

all: build

deps:
	@bash scripts/ensure-deps.sh $(DEB_PACKAGES)

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRVIOMMU_WERROR=ON $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: deps $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS) --target rviommu | grep -v '^\[' || true
	@bash scripts/run-main.sh $(BUILD)/rviommu

check: build
	@bash scripts/ensure-deps.sh $(TEST_PACKAGES)
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

check-san: deps
	@bash scripts/ensure-deps.sh $(TEST_PACKAGES)
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DRVIOMMU_WERROR=ON \
	      -DRVIOMMU_SANITIZE=address,undefined $(CMAKE_ARGS)
	cmake --build $(SAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(SAN_BUILD) --output-on-failure -j $(JOBS) -E "$(SAN_EXCLUDE)"

coverage: deps
	@bash scripts/ensure-deps.sh $(COV_PACKAGES)
	cmake -S . -B $(COV_BUILD) -DCMAKE_BUILD_TYPE=Debug -DRVIOMMU_COVERAGE=ON $(CMAKE_ARGS)
	cmake --build $(COV_BUILD) -j $(JOBS)
	lcov --quiet --zerocounters --directory $(COV_BUILD)
	ctest --test-dir $(COV_BUILD) -j $(JOBS)
	lcov --quiet --capture --directory $(COV_BUILD) --output-file $(COV_BUILD)/coverage.info
	lcov --quiet --extract $(COV_BUILD)/coverage.info '*/src/*' --output-file $(COV_BUILD)/coverage.info
	lcov --summary $(COV_BUILD)/coverage.info

bench: build
	$(BUILD)/rviommu bench

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

install: build
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX),)

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(COV_BUILD)
