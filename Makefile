# repoll - build, test and install.
#
#   make                 build librepoll.so and the repoll launcher (release)
#   make test            Rust tests, C differential suite, trace and lint suites,
#                        spec suite, CPython suites
#   make demo            examples/demo.c natively, then under ./target/release/repoll
#   make install         PREFIX=/usr/local DESTDIR= (see README.md)
#
# The spec suite lives in ../shared/epoll-spec beside the repository
# (override with SPEC_DIR=...); without it `make spec` prints a note and
# succeeds. Targets run one at a time, in the order given (.NOTPARALLEL), so
# `make test` stops at the first failing step even under -j.

CARGO   ?= cargo
CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=

ROOT     := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
RELEASE  := $(ROOT)/target/release
LIB      := $(RELEASE)/librepoll.so
BIN      := $(RELEASE)/repoll
SPEC_DIR ?= $(abspath $(ROOT)/../shared/epoll-spec)

LIBDIR     := $(DESTDIR)$(PREFIX)/lib/repoll
BINDIR     := $(DESTDIR)$(PREFIX)/bin
INCLUDEDIR := $(DESTDIR)$(PREFIX)/include/repoll

DEMO_CFLAGS ?= -std=gnu11 -O2 -Wall -Wextra

.NOTPARALLEL:
.PHONY: all test cargo-test ctest ctest-cold trace-test lint-test real-test spec pytest-suites install uninstall clean \
	demo fmt-check clippy bench fuzz fuzz-ci valgrind

all:
	cd $(ROOT) && $(CARGO) build --release

# In order, stopping at the first failure.
test: all cargo-test ctest ctest-cold trace-test lint-test fuzz-ci valgrind spec pytest-suites real-test
	@echo "make test: all steps passed"

cargo-test:
	cd $(ROOT) && $(CARGO) test --release

ctest: all
	cd $(ROOT) && bash tests/run_c_tests.sh $(LIB)

# The C suite again with every idle registration moved to the helper
# thread's cold set at once (cold_after_ms=0): exercises src/core/cold.rs.
ctest-cold: all
	cd $(ROOT) && REPOLL_OPTIONS=cold_after_ms=0 bash tests/run_c_tests.sh $(LIB)

trace-test: all
	cd $(ROOT) && bash tests/trace/run.sh $(LIB)

# Misuse lints, half-close diagnosis and rdhup=uniform (tests/lint/run.sh).
lint-test: all
	cd $(ROOT) && bash tests/lint/run.sh $(LIB)

spec: all
	@if [ -f "$(SPEC_DIR)/experiments/run_all.sh" ]; then \
		cd $(ROOT) && EPOLL_SPEC_DIR="$(SPEC_DIR)" bash tests/spec_gate.sh $(LIB); \
	else \
		echo "note: $(SPEC_DIR) not found: spec suite skipped (clone with ../shared beside the repo, or set SPEC_DIR)"; \
	fi

# redis, nginx, memcached, node and Python asyncio, natively and preloaded
# (installs missing Debian packages when run as root).
real-test: all
	cd $(ROOT) && REPOLL_LIB=$(LIB) bash tests/real/run.sh

pytest-suites: all
	cd $(ROOT) && REPOLL_LIB=$(LIB) bash tests/python_suites.sh

# Installs what `make` built; it does not build, so that `sudo make install`
# never runs cargo as root. The launcher finds the library at
# BINDIR/../lib/repoll/librepoll.so (notes/cli.md).
install:
	@test -f $(LIB) && test -f $(BIN) || { echo "install: run 'make' first ($(LIB), $(BIN) missing)" >&2; exit 1; }
	install -d $(LIBDIR) $(BINDIR) $(INCLUDEDIR)
	install -m 0755 $(LIB) $(LIBDIR)/librepoll.so
	install -m 0755 $(BIN) $(BINDIR)/repoll
	install -m 0644 $(ROOT)/include/epoll.h $(INCLUDEDIR)/epoll.h

uninstall:
	rm -f $(LIBDIR)/librepoll.so $(BINDIR)/repoll $(INCLUDEDIR)/epoll.h
	rmdir $(LIBDIR) $(INCLUDEDIR) 2>/dev/null || true

clean:
	cd $(ROOT) && $(CARGO) clean

# The demo's stdout must be the same natively and under repoll; the first
# line on stderr says which epoll served it.
demo: all
	$(CC) $(DEMO_CFLAGS) -I$(ROOT)/include -o $(ROOT)/target/demo $(ROOT)/examples/demo.c
	@echo "=== natively (kernel epoll): ./target/demo"
	@cd $(ROOT) && ./target/demo >target/demo.native.out
	@cat $(ROOT)/target/demo.native.out
	@echo "=== under repoll: ./target/release/repoll -- ./target/demo"
	@cd $(ROOT) && ./target/release/repoll -- ./target/demo >target/demo.repoll.out
	@cat $(ROOT)/target/demo.repoll.out
	@if cmp -s $(ROOT)/target/demo.native.out $(ROOT)/target/demo.repoll.out; then \
		echo "=== same output natively and under repoll"; \
	else \
		echo "=== outputs differ (native vs repoll):"; \
		diff -u --label native --label repoll $(ROOT)/target/demo.native.out $(ROOT)/target/demo.repoll.out; \
		exit 1; \
	fi

fmt-check:
	cd $(ROOT) && $(CARGO) fmt --all -- --check

clippy:
	cd $(ROOT) && $(CARGO) clippy --release --all-targets -- -D warnings

# Kernel epoll vs repoll: micro-benchmarks, redis, nginx, memory; prints the
# tables and writes BENCH.md (bench/run.sh lists the BENCH_* knobs, e.g.
# BENCH_QUICK=1). Installs redis, nginx, wrk, strace from Debian if missing.
bench: all
	cd $(ROOT) && bash bench/run.sh

# Differential fuzzing against kernel epoll (tests/diff/README.md).
# fuzz-ci: a bounded run (20 000 operations); fuzz: FUZZ_OPS (default 1 000 000).
FUZZ_OPS ?= 1000000
fuzz-ci: all
	cd $(ROOT) && FUZZ_OPS=20000 FUZZ_SEED=1 bash tests/diff/run.sh $(LIB)

fuzz: all
	cd $(ROOT) && FUZZ_OPS=$(FUZZ_OPS) bash tests/diff/run.sh $(LIB)

# A selection of the C tests under valgrind, the library preloaded
# (tests/hardening/valgrind.sh).
valgrind: all
	cd $(ROOT) && bash tests/hardening/valgrind.sh $(LIB)
