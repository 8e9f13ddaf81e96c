# Makefile: builds libnaryn.a, the naryn command and the tests.
#
#   make            library and command in build/
#   make check      every test: unit (cmocka), bad inputs, golden results,
#                   the command line, doc/errors.md against the code, with
#                   MPI=1 an ensemble over 1 and 2 MPI processes and,
#                   outside SAN=1, reports in a browser
#   make errors     only the check of doc/errors.md against the code
#   make browser    only the browser test (headless Chromium)
#   make python     only the Python package's tests (python3-pytest)
#   make SAN=1 ...  the same under AddressSanitizer and UBSan, in build-san/
#   make MPI=1 ...  the same with OpenMPI (mpicc), in build-mpi/: "mpirun -np
#                   K naryn ensemble" shares the members between K processes
#   make fuzz       libFuzzer targets (fuzz/) built with clang under ASan and
#                   UBSan in build-fuzz/, each run for FUZZ_SECONDS (default
#                   60); see doc/fuzzing.md
#   make bench      benchmarks (never part of check)
#   make shared     the shared library, build/libnaryn.so.VERSION
#   make install    naryn, libnaryn.a, naryn.h and the built-in model under
#                   PREFIX (default /usr/local)
#   make install-python  the Python package naryn (python/naryn) where
#                   Debian's python3 finds it; uninstall-python removes it
#   make clean
#
# Dependencies come from Debian packages through pkg-config: COIN-OR CLP,
# libyaml, libnetcdf (NetCDF-4 results, loaded when used), and for the tests cmocka and libpng (and Chromium, run by the
# browser test, and OpenMPI for MPI=1). scripts/deps installs them. The library is C but for its
# adapter to CLP's C++ classes (src/lp/lp_clp.cpp), built with $(CXX);
# whatever links the library also links libstdc++.

CC ?= cc
CXX ?= g++
PKGS := clp yaml-0.1
TEST_PKGS := cmocka libpng netcdf

FUZZ_CC ?= clang
FUZZ_CXX ?= clang++
FUZZ_SECONDS ?= 60

# make MPI=1: Debian's OpenMPI (libopenmpi-dev) through its mpicc, so that
# "mpirun -np K naryn ensemble ..." shares the members between K processes
# (src/ensemble/mpi.c, the one file that uses MPI). Built into build-mpi/
# (build-san-mpi/ with SAN=1).
ifeq ($(MPI),1)
MPI_SUFFIX := -mpi
CC := mpicc
CPPFLAGS += -DNARYN_MPI
endif

ifeq ($(FUZZ),1)
# The library is instrumented for libFuzzer; only the targets get its main.
CC := $(FUZZ_CC)
CXX := $(FUZZ_CXX)
BUILD ?= build-fuzz
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
OPT ?= -O1 -g
else ifeq ($(SAN),1)
BUILD ?= build-san$(MPI_SUFFIX)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT ?= -O1 -g
else
BUILD ?= build$(MPI_SUFFIX)
SANFLAGS :=
OPT ?= -O2 -g
endif

PREFIX ?= /usr/local
DATADIR ?= $(PREFIX)/share/naryn

WARN := -Wall -Wextra -Werror -Wshadow -Wundef -Wwrite-strings \
        -Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith -Wvla
CXXWARN := -Wall -Wextra -Werror -Wshadow -Wundef -Wwrite-strings \
           -Wmissing-declarations -Wpointer-arith -Wvla \
           -Wnon-virtual-dtor -Woverloaded-virtual
CPPFLAGS += -Iinclude -D_POSIX_C_SOURCE=200809L
CFLAGS += -std=c11 -pthread $(OPT) $(WARN) $(SANFLAGS) -MMD -MP
CXXFLAGS += -std=c++11 -pthread $(OPT) $(CXXWARN) $(SANFLAGS) -MMD -MP
# Third-party headers are system headers: their warnings are not ours.
# libnetcdf is loaded only when a run writes results.nc (src/io/netcdf.c):
# its header is used, and its file name, but it is not linked.
NETCDF_SONAME := $(shell objdump -p "$$(pkg-config --variable=libdir netcdf)/libnetcdf.so" \
                   2>/dev/null | awk '/SONAME/ { print $$2 }')
PKG_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(PKGS) netcdf)) \
              $(if $(NETCDF_SONAME),-DNARYN_NETCDF_SONAME='"$(NETCDF_SONAME)"')
PKG_LIBS := $(shell pkg-config --libs $(PKGS))
# Asked only when a test is built, so that building naryn needs no cmocka.
TEST_CFLAGS = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(TEST_PKGS)))
TEST_LIBS = $(shell pkg-config --libs $(TEST_PKGS))
LDFLAGS += -pthread $(SANFLAGS)
LDLIBS += $(PKG_LIBS) -lstdc++ -lm

LIB_SRC := $(sort $(wildcard src/*/*.c))
LIB_CXX_SRC := $(sort $(wildcard src/*/*.cpp))
CLI_SRC := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC := $(sort $(wildcard tests/tools/*.c tools/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(LIB_CXX_SRC:%.cpp=$(BUILD)/%.cpp.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TESTS := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOLS := $(patsubst %.c,$(BUILD)/tools/%,$(notdir $(TOOL_SRC)))
BENCHES := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
FUZZERS := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/%)
# Drives headless Chromium to check that an HTML report renders.
BROWSER_CHECK := $(BUILD)/tools/browser_check

LIB := $(BUILD)/libnaryn.a
BIN := $(BUILD)/naryn
# The shared library: libnaryn.so.VERSION, whose soname carries the major
# version, built from position-independent objects of its own. It exports
# only the public interface (the naryn_ names of include/naryn.h).
VERSION := $(shell sed -n 's/^\#define NARYN_VERSION "\(.*\)"/\1/p' include/naryn.h)
SONAME := libnaryn.so.$(firstword $(subst ., ,$(VERSION)))
SHLIB := $(BUILD)/libnaryn.so.$(VERSION)
PIC_OBJ := $(LIB_SRC:%.c=$(BUILD)/pic/%.o) $(LIB_CXX_SRC:%.cpp=$(BUILD)/pic/%.cpp.o)

.PHONY: all check unit bad golden errors browser python bench fuzz fuzzers clean tests install shared \
        install-python uninstall-python
all: $(BIN)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/pic/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -fPIC -c $< -o $@

$(BUILD)/pic/src/%.cpp.o: src/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(PKG_CFLAGS) $(CXXFLAGS) -fPIC -c $< -o $@

# The shared library, with the links a program finds it by at run time
# (the soname) and at link time (libnaryn.so).
$(SHLIB): $(PIC_OBJ) src/naryn.map
	$(CXX) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=src/naryn.map \
	  -Wl,--no-undefined $(LDFLAGS) $(PIC_OBJ) $(PKG_LIBS) -lm -o $@
	ln -sf $(notdir $@) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/libnaryn.so

shared: $(SHLIB)

$(BUILD)/src/%.cpp.o: src/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(PKG_CFLAGS) $(CXXFLAGS) -c $< -o $@

# The command sees only the public header. It finds the built-in model in
# DATADIR once installed, or beside itself in the build tree.
$(BUILD)/cli/%.o: cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DNARYN_DATADIR='"$(DATADIR)"' $(CFLAGS) -c $< -o $@

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $(CLI_OBJ) $(LIB) $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc $(PKG_CFLAGS) $(TEST_CFLAGS) $(CFLAGS) $< $(LIB) $(LDFLAGS) $(TEST_LIBS) $(LDLIBS) -o $@

# The out-of-memory test (tests/unit/test_oom.c) sees every allocation the
# library's objects make: the linker's --wrap sends their calls of malloc
# and the rest to the test's fault injector. The test also replaces C++'s
# operator new (tests/unit/oom_new.cpp), so that CLP's allocations and the
# LP adapter's fail in turn, and is linked as C++. Every request to the
# library's arenas is made to fail in turn as well.
comma := ,
OOM_WRAP := malloc calloc realloc free strdup fopen fdopen open_memstream fsync \
            naryn__arena_alloc naryn__arena_strdup naryn__arena_strndup naryn__arena_printf \
            naryn__lp_abandon
OOM_LDFLAGS := $(addprefix -Wl$(comma)--wrap=,$(OOM_WRAP))

$(BUILD)/tests/oom/test_oom.o: tests/unit/test_oom.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc $(PKG_CFLAGS) $(TEST_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/tests/oom/oom_new.o: tests/unit/oom_new.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(PKG_CFLAGS) -std=c++17 $(OPT) -Wall -Wextra -Werror $(SANFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/test_oom: $(BUILD)/tests/oom/test_oom.o $(BUILD)/tests/oom/oom_new.o $(LIB)
	$(CXX) $(filter %.o,$^) $(LIB) $(LDFLAGS) $(OOM_LDFLAGS) $(TEST_LIBS) $(LDLIBS) -o $@

$(BUILD)/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< $(LDFLAGS) -lm -o $@

$(BUILD)/tools/%: tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< $(LDFLAGS) -lm -o $@

$(BROWSER_CHECK): tests/browser/browser_check.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc $(PKG_CFLAGS) $(TEST_CFLAGS) $(CFLAGS) $< $(LIB) $(LDFLAGS) $(TEST_LIBS) $(LDLIBS) -o $@

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc $(PKG_CFLAGS) $(CFLAGS) $< $(LIB) $(LDFLAGS) $(LDLIBS) -o $@

tests: $(BIN) $(TESTS) $(TOOLS) $(BROWSER_CHECK)

# Each suite appends "name PASS|FAIL" lines to $(BUILD)/results.txt; the
# closing line counts them. Chromium under the sanitizers is no test of
# naryn, so the browser suite runs only in the normal build.
check: tests
	@rm -f $(BUILD)/results.txt
	@BUILD=$(BUILD) tests/run-unit.sh || true
	@BUILD=$(BUILD) tests/bad/run.sh || true
	@BUILD=$(BUILD) tests/golden/run.sh || true
	@BUILD=$(BUILD) tests/cli/run.sh || true
	@BUILD=$(BUILD) tests/errors/run.sh || true
	@BUILD=$(BUILD) tests/mpi/run.sh || true
ifneq ($(SAN),1)
	@BUILD=$(BUILD) tests/browser/run.sh || true
	@BUILD=$(BUILD) tests/python/run.sh || true
endif
	@tests/summarise.sh $(BUILD)/results.txt

# The Python suite loads the shared library; it runs outside SAN=1 only.
ifneq ($(SAN),1)
check: $(SHLIB)
endif

python: $(BIN) $(SHLIB)
	@rm -f $(BUILD)/results.txt
	@BUILD=$(BUILD) tests/python/run.sh || true
	@tests/summarise.sh $(BUILD)/results.txt

unit: tests
	@rm -f $(BUILD)/results.txt
	@BUILD=$(BUILD) tests/run-unit.sh || true
	@tests/summarise.sh $(BUILD)/results.txt

bad: tests
	@rm -f $(BUILD)/results.txt
	@BUILD=$(BUILD) tests/bad/run.sh || true
	@tests/summarise.sh $(BUILD)/results.txt

golden: tests
	@rm -f $(BUILD)/results.txt
	@BUILD=$(BUILD) tests/golden/run.sh || true
	@tests/summarise.sh $(BUILD)/results.txt

errors: $(TOOLS)
	@rm -f $(BUILD)/results.txt
	@BUILD=$(BUILD) tests/errors/run.sh || true
	@tests/summarise.sh $(BUILD)/results.txt

browser: $(BIN) $(BROWSER_CHECK)
	@rm -f $(BUILD)/results.txt
	@BUILD=$(BUILD) tests/browser/run.sh || true
	@tests/summarise.sh $(BUILD)/results.txt

bench: $(BIN) $(BENCHES)
	@BUILD=$(BUILD) bench/run.sh

$(BUILD)/fuzz/%: fuzz/%.c fuzz/common.c fuzz/common.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc $(PKG_CFLAGS) $(CFLAGS) -fsanitize=fuzzer $< fuzz/common.c \
	  $(LIB) $(LDFLAGS) -fsanitize=fuzzer $(LDLIBS) -o $@

# Each target records "fuzz/<target> PASS|FAIL" in $(BUILD)/results.txt
# and keeps what it found in $(BUILD)/fuzz/<target>/found/.
# "make fuzzers" only builds them.
ifeq ($(FUZZ),1)
fuzzers: $(FUZZERS)

fuzz: $(FUZZERS)
	@rm -f $(BUILD)/results.txt
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh || true
	@tests/summarise.sh $(BUILD)/results.txt
else
fuzz fuzzers:
	@$(MAKE) --no-print-directory FUZZ=1 $@
endif

# Installs the command, the library, its header and the built-in model.
install: $(BIN) $(LIB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(DATADIR)/models/naryn/scenarios
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/naryn
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libnaryn.a
	install -m 644 include/naryn.h $(DESTDIR)$(PREFIX)/include/naryn.h
	install -m 644 models/naryn/*.yaml models/naryn/*.csv models/naryn/README.md \
	  $(DESTDIR)$(DATADIR)/models/naryn/
	install -m 644 models/naryn/scenarios/*.yaml $(DESTDIR)$(DATADIR)/models/naryn/scenarios/

# The Python package (pure Python over libnaryn.so.0 through ctypes), where
# Debian's python3 looks: /usr/lib/python3/dist-packages for PREFIX=/usr,
# and for any other prefix PREFIX/lib/python3.X/dist-packages with X the
# version of the python3 installed (Debian's site module looks in
# /usr/local/lib/python3.X/dist-packages). PYTHONDIR overrides it.
PYTHON3 ?= $(firstword $(wildcard /usr/bin/python3) python3)
PYTHONDIR ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/python3/dist-packages,$(PREFIX)/lib/python$(shell $(PYTHON3) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3)/dist-packages)
PY_SRC := $(sort $(wildcard python/naryn/*.py))

install-python:
	install -d $(DESTDIR)$(PYTHONDIR)/naryn
	install -m 644 $(PY_SRC) $(DESTDIR)$(PYTHONDIR)/naryn/

uninstall-python:
	rm -f $(addprefix $(DESTDIR)$(PYTHONDIR)/naryn/,$(notdir $(PY_SRC)))
	rm -rf $(DESTDIR)$(PYTHONDIR)/naryn/__pycache__
	-rmdir $(DESTDIR)$(PYTHONDIR)/naryn

clean:
	rm -rf build build-san build-fuzz build-mpi build-san-mpi

-include $(LIB_OBJ:.o=.d) $(PIC_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(wildcard $(BUILD)/tests/oom/*.d)
