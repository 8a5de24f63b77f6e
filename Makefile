# concbench: one non-recursive Makefile. Outputs go to build/.
#   make            build build/concbench (installs missing Debian packages first)
#   make test       unit and integration tests, then again under ASan+UBSan,
#                   and the threads strategy under TSan
#   make bench      the default benchmark profile (see README)
#   make reproduce  the article's experiments beside ours
#   make micro      Google Benchmark micro-benchmarks
#   make V=1        show the commands
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

BUILD    := build
ARCH     := $(shell uname -m)
CC       := gcc
CXX      := g++
OPT      ?= -O2
# Recursive (=) on purpose: pkg-config runs when a recipe needs the flags,
# which is after scripts/install-deps.sh has installed libcurl.
CURL_CFLAGS = $(shell pkg-config --cflags libcurl)
CURL_LIBS   = $(shell pkg-config --libs libcurl)
CRIT_LIBS   = $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)
BENCH_LIBS  = $(shell pkg-config --libs benchmark 2>/dev/null || echo -lbenchmark) -lpthread

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
CPPFLAGS := -D_GNU_SOURCE -Istrategies -Iharness/sys -Iharness/cli -Iharness/server -Iharness/micro -I$(BUILD)
# Where external strategies (strategies/PROTOCOL.md) find their programs
# when CONCBENCH_ROOT does not say: this source tree.
CPPFLAGS += -DCB_ROOT='"$(CURDIR)"'
CFLAGS   := -std=gnu11 $(OPT) -g -pthread -fno-omit-frame-pointer $(WARN)
CXXFLAGS := -std=c++17 $(OPT) -g -pthread -Wall -Wextra -Werror
DEPFLAGS  = -MMD -MP
LDLIBS    = $(CURL_LIBS) -lcrypto -lpthread -lm

# Machine code is the only compile-time choice: the context switch.
ifeq ($(ARCH),x86_64)
SWITCH_SRC := strategies/coro_switch_x86_64.S
else ifeq ($(ARCH),aarch64)
SWITCH_SRC := strategies/coro_switch_aarch64.S
else
SWITCH_SRC :=
CPPFLAGS += -DCORO_USE_UCONTEXT
endif

# Sources by folder, one folder a program: harness/cli (the concbench
# command and its measurement), harness/server (the test server, linked
# into concbench as `serve`), harness/micro (the micro-benchmarks), and
# harness/sys (the child-process module they share). Every strategies/*.c,
# harness/sys/*.c, harness/cli/*.c but main.c and harness/server/*.c is
# part of the library the tests link.
LIB_C     := $(wildcard strategies/*.c) $(wildcard harness/sys/*.c) $(wildcard harness/server/*.c) \
             $(filter-out harness/cli/main.c,$(wildcard harness/cli/*.c))
LIB_SRC   := $(LIB_C) $(SWITCH_SRC)
MICRO_C   := $(wildcard harness/micro/*.c)
MICRO_CC  := $(wildcard harness/micro/*.cc)
TEST_C    := $(wildcard tests/test_*.c)

Q := @
ifeq ($(V),1)
Q :=
endif

# $(call objs,VARIANT,SOURCES)
objs = $(patsubst %,$(BUILD)/$(1)/%.o,$(2))

# Flavours: rel (benchmarks), asan (ASan+UBSan, tests only), tsan (tests only).
SAN_asan := -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_tsan := -fsanitize=thread
SAN_rel  :=

DEPS_OK := $(BUILD)/.deps-ok
$(DEPS_OK): scripts/install-deps.sh
	$(Q)mkdir -p $(BUILD)
	$(Q)scripts/install-deps.sh
	$(Q)touch $@

# The build flags are written into every results file (machine record).
BUILD_INFO = -DCB_CFLAGS='"$(strip -std=gnu11 $(OPT) -g -pthread -fno-omit-frame-pointer $(SAN_$(1)))"'

define flavour
$(BUILD)/$(1)/%.c.o: %.c Makefile | $(DEPS_OK)
	@mkdir -p $$(@D)
	@$$(if $(Q),echo "  CC [$(1)] $$<")
	$(Q)$(CC) $(CPPFLAGS) $(call BUILD_INFO,$(1)) $$(CURL_CFLAGS) $(CFLAGS) $(SAN_$(1)) $(DEPFLAGS) -c $$< -o $$@
$(BUILD)/$(1)/%.S.o: %.S Makefile | $(DEPS_OK)
	@mkdir -p $$(@D)
	@$$(if $(Q),echo "  AS [$(1)] $$<")
	$(Q)$(CC) $(CPPFLAGS) $(SAN_$(1)) $(DEPFLAGS) -c $$< -o $$@
$(BUILD)/$(1)/%.cc.o: %.cc Makefile | $(DEPS_OK)
	@mkdir -p $$(@D)
	@$$(if $(Q),echo "  CXX [$(1)] $$<")
	$(Q)$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(SAN_$(1)) $(DEPFLAGS) -c $$< -o $$@
$(BUILD)/$(1)/lib.a: $(call objs,$(1),$(LIB_SRC))
	$(Q)rm -f $$@ && ar rcs $$@ $$^
$(BUILD)/$(1)/tests/%: $(BUILD)/$(1)/tests/%.c.o $(BUILD)/$(1)/lib.a
	@$$(if $(Q),echo "  LD [$(1)] $$@")
	$(Q)$(CC) $(CFLAGS) $(SAN_$(1)) $$^ -o $$@ $$(CRIT_LIBS) $$(LDLIBS)
# test_micro drives the Google Benchmark shim, so it links as C++.
$(BUILD)/$(1)/tests/test_micro: $(BUILD)/$(1)/tests/test_micro.c.o $(call objs,$(1),$(MICRO_CC)) $(BUILD)/$(1)/lib.a
	@$$(if $(Q),echo "  LD [$(1)] $$@")
	$(Q)$(CXX) $(CXXFLAGS) $(SAN_$(1)) $$^ -o $$@ $$(CRIT_LIBS) $$(BENCH_LIBS) $$(LDLIBS)
$(BUILD)/$(1)/concbench: $(BUILD)/$(1)/harness/cli/main.c.o $(BUILD)/$(1)/lib.a
	@$$(if $(Q),echo "  LD [$(1)] $$@")
	$(Q)$(CC) $(CFLAGS) $(SAN_$(1)) $$^ -o $$@ $$(LDLIBS)
endef
$(eval $(call flavour,rel))
$(eval $(call flavour,asan))
$(eval $(call flavour,tsan))

TESTS_rel  := $(patsubst %.c,$(BUILD)/rel/%,$(TEST_C))
TESTS_asan := $(patsubst %.c,$(BUILD)/asan/%,$(TEST_C))

$(BUILD)/concbench: $(BUILD)/rel/concbench
	$(Q)cp -f $< $@

$(BUILD)/concbench-micro: $(call objs,rel,$(MICRO_C) $(MICRO_CC)) $(BUILD)/rel/lib.a
	@$(if $(Q),echo "  LD [rel] $@")
	$(Q)$(CXX) $(CXXFLAGS) $^ -o $@ $(BENCH_LIBS) $(LDLIBS)

.PHONY: all test test-rel test-asan test-tsan test-scripts check-cross bench reproduce micro clean asan tsan format
all: $(BUILD)/concbench

# The tests need the program too: they start `concbench` runs and servers.
test: test-rel test-asan test-tsan test-scripts test-fuzz
	@echo "make test: all suites passed"

# The glue users meet: charts from fixtures, the report, summarize, and
# `make bench PROFILE=tiny` end to end.
test-scripts: $(BUILD)/concbench
	$(Q)CB_BIN=$(BUILD)/concbench sh tests/test_scripts.sh

test-rel: $(BUILD)/concbench $(BUILD)/concbench-micro $(TESTS_rel)
	$(Q)CB_BIN=$(BUILD)/concbench CB_MICRO_BIN=$(BUILD)/concbench-micro scripts/run-tests.sh rel $(TESTS_rel)

test-asan: $(BUILD)/concbench $(BUILD)/concbench-micro $(TESTS_asan)
	$(Q)CB_BIN=$(BUILD)/concbench CB_MICRO_BIN=$(BUILD)/concbench-micro scripts/run-tests.sh asan $(TESTS_asan)

# TSan for the threads strategy, the one that shares memory between threads
# (fork, epoll and coro run one thread per process), and for the blocking
# server's workers. Criterion cannot start under TSan here, so a TSan build
# of concbench itself is driven through real runs.
test-tsan: $(BUILD)/tsan/concbench
	$(Q)scripts/tsan-check.sh $(BUILD)/tsan/concbench

asan: $(TESTS_asan)
tsan: $(BUILD)/tsan/concbench

# --- fuzz: the request parser under libFuzzer (tests/fuzz/) -----------------
# `make fuzz` runs it for FUZZ_TIME seconds (default 300); `make test` runs
# test-fuzz, FUZZ_TEST_TIME seconds (default 25). clang's libFuzzer comes
# from Debian (scripts/install-deps.sh fuzz: clang libclang-rt-14-dev).
FUZZ_CC        ?= clang
FUZZ_TIME      ?= 300
FUZZ_TEST_TIME ?= 25
FUZZ_DEPS_OK   := $(BUILD)/.deps-fuzz-ok
FUZZ_BIN       := $(BUILD)/fuzz/fuzz_http
FUZZ_SRC       := tests/fuzz/fuzz_http.c harness/server/srv_http.c

$(FUZZ_DEPS_OK): scripts/install-deps.sh
	$(Q)mkdir -p $(BUILD)
	$(Q)scripts/install-deps.sh fuzz
	$(Q)touch $@

$(FUZZ_BIN): $(FUZZ_SRC) harness/server/srv_http.h strategies/body.h Makefile | $(FUZZ_DEPS_OK)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC [fuzz] $@")
	$(Q)$(FUZZ_CC) -std=gnu11 -O1 -g -pthread $(WARN) -D_GNU_SOURCE -Istrategies -Iharness/server \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(FUZZ_SRC) -o $@

.PHONY: fuzz test-fuzz
fuzz: $(FUZZ_BIN)
	$(Q)tests/fuzz/run.sh $(FUZZ_BIN) $(FUZZ_TIME)

test-fuzz: $(FUZZ_BIN)
	$(Q)tests/fuzz/run.sh $(FUZZ_BIN) $(FUZZ_TEST_TIME)
# --- end fuzz -----------------------------------------------------------------

# The coroutine checks on AArch64 (qemu) and with the ucontext fallback.
check-cross:
	$(Q)scripts/check-cross.sh

# The default profile runs the article's Python programs too: their packages first.
bench: $(BUILD)/concbench $(BUILD)/.deps-python
	$(Q)scripts/bench.sh

# The python group first (the article's programs, Flask, FastAPI); a package
# that cannot be installed gives `skipped` rows naming it, not a failure.
reproduce: $(BUILD)/concbench
	$(Q)scripts/install-deps.sh python || echo "make reproduce: some Python packages are missing: their rows will say skipped" >&2
	$(Q)scripts/reproduce.sh

micro: $(BUILD)/concbench-micro $(BUILD)/concbench
	$(Q)scripts/micro.sh

# --- peers: the runtimes users would pick instead (strategies/go, node, rust, java) ---
# `make peers` installs their toolchains (install-deps group peers) and builds
# every installed one into $(BUILD)/peers; `make test-peers` runs each at
# small N through concbench (tests/test_peers.sh), skipping missing toolchains.
.PHONY: peers test-peers
peers:
	$(Q)scripts/install-deps.sh peers
	$(Q)scripts/build-peers.sh $(BUILD)

test-peers: $(BUILD)/concbench
	$(Q)CB_BIN=$(BUILD)/concbench CB_BUILD=$(BUILD) sh tests/test_peers.sh
test: test-peers
# --- end peers ---

format:
	clang-format -i strategies/*.[ch] harness/*/*.[ch] harness/micro/*.cc tests/*.[ch]

clean:
	rm -rf $(BUILD)

# --- cli: version, install, the CLI's tests (owned by the cli engineer) ---
# build/version.h holds `git describe` at build time (concbench --version and
# the machine record); it is rewritten only when the description changes.
CB_DESCRIBE := $(shell git describe --always --dirty --tags 2>/dev/null || echo unknown)
$(BUILD)/version.h: FORCE
	@mkdir -p $(BUILD)
	@echo '#define CB_VERSION "$(CB_DESCRIBE)"' > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv -f $@.new $@
$(foreach f,rel asan tsan,$(BUILD)/$(f)/harness/cli/main.c.o $(BUILD)/$(f)/harness/cli/machine.c.o): $(BUILD)/version.h
.PHONY: FORCE install test-cli
FORCE:

PREFIX ?= /usr/local
install: $(BUILD)/concbench
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/concbench $(DESTDIR)$(PREFIX)/bin/concbench

# The command line, the README's examples, client and server in two network
# namespaces (skipped without root or iproute2).
test-cli: $(BUILD)/concbench $(BUILD)/asan/concbench
	$(Q)CB_BIN=$(BUILD)/concbench sh tests/test_cli.sh
	$(Q)echo "== the same under ASan+UBSan (every exit status must hold, no leak)"
	$(Q)LSAN_OPTIONS=suppressions=tests/lsan_cli.supp CB_BIN=$(BUILD)/asan/concbench sh tests/test_cli.sh
	$(Q)CB_BIN=$(BUILD)/concbench sh tests/test_readme.sh
	$(Q)CB_BIN=$(BUILD)/concbench sh tests/test_netns.sh
test: test-cli
# --- end cli ---

# --- external strategies and process control (lead) ---
# The Python strategies and servers need Debian's Python packages (the
# python group of scripts/install-deps.sh), installed once.
$(BUILD)/.deps-python: scripts/install-deps.sh | $(DEPS_OK)
	$(Q)scripts/install-deps.sh python
	$(Q)touch $@
.PHONY: test-python test-interrupt
# The article's Python programs through the protocol, each workload each implements.
test-python: $(BUILD)/concbench $(BUILD)/.deps-python
	$(Q)CB_BIN=$(BUILD)/concbench sh tests/test_python.sh
# Interrupt an HTTP sweep with every signal: nothing of the run is left.
test-interrupt: $(BUILD)/concbench
	$(Q)CB_BIN=$(BUILD)/concbench sh tests/test_interrupt.sh
test: test-python test-interrupt test-reproduce
.PHONY: test-reproduce
# make reproduce in its quick mode (every planned row, the report, the charts).
test-reproduce: $(BUILD)/concbench $(BUILD)/.deps-python
	$(Q)CB_BIN=$(BUILD)/concbench sh tests/test_reproduce.sh
# --- end external strategies and process control ---

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
