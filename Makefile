# The two commands a new user needs (see README.md):
#   make demo   install what is missing, build, create demo.db, serve it on 127.0.0.1:8080
#   make test   install what is missing, build normal + ASan/UBSan, run every test on both
#   make soak   10 minutes of mixed load on the city demo (no 5xx, flat memory), then the
#               long crash test (scripts/soak; SOAK_SECONDS=60 for a quick run)
# Plain `make` builds build/gridgov.

.PHONY: all setup build demo test lint format clean bench fuzz soak

all: build

setup:
	@scripts/setup

build: setup
	@[ -f build/build.ninja ] || meson setup build >/dev/null
	@meson compile -C build >/dev/null || meson compile -C build

demo: build
	@scripts/demo

test: setup
	@scripts/test

lint: build
	@scripts/lint

format:
	@clang-format-14 -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'bench/*.c')

fuzz: setup
	@scripts/fuzz

bench: build
	@bench/run

soak: build
	@scripts/soak

clean:
	rm -rf build build-asan build-fuzz
