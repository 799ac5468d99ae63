# Thin wrapper over CMake. `make demo` and `make test` work on a fresh Debian 12
# machine as root: scripts/setup.sh installs whatever is missing first.
JOBS ?= 2
CTEST_JOBS ?= 2
BUILD := build

.PHONY: all setup configure build test demo bench format clean

all: build

setup:
	@./scripts/setup.sh

configure: setup
	@if [ ! -f $(BUILD)/build.ninja ]; then cmake --preset default; fi

build: configure
	cmake --build $(BUILD) -j$(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure --no-tests=error -j$(CTEST_JOBS)

demo: build
	./scripts/demo.sh

bench: setup
	@if [ ! -f build-release/build.ninja ]; then cmake --preset release; fi
	cmake --build build-release -j$(JOBS)
	./bench/run.sh

format:
	git ls-files '*.cpp' '*.hpp' '*.h' | grep -v '^grammar/' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-release
