# Makefile: builds libnaryn.a, the naryn command and the tests.
#
#   make            library and command in build/
#   make check      every test: unit (cmocka), bad inputs, golden results,
#                   the command line, doc/errors.md against the code, the
#                   documentation against what exists (tests/docs), with
#                   MPI=1 an ensemble over 1 and 2 MPI processes and,
#                   outside SAN=1, reports in a browser and (nor with
#                   MPI=1) the Debian package
#   make errors     only the check of doc/errors.md against the code
#   make docs       only the check of the documentation (tests/docs/run.sh)
#   make browser    only the browser test (headless Chromium)
#   make package    only the package test: make deb, the package unpacked
#                   into a temporary root and used from there, make install
#                   and make uninstall into a temporary DESTDIR
#   make python     only the Python package's tests (python3-pytest)
#   make SAN=1 ...  the same under AddressSanitizer and UBSan, in build-san/
#   make MPI=1 ...  the same with OpenMPI (mpicc), in build-mpi/: "mpirun -np
#                   K naryn ensemble" shares the members between K processes
#   make fuzz       libFuzzer targets (fuzz/) built with clang under ASan and
#                   UBSan in build-fuzz/, each run for FUZZ_SECONDS (default
#                   60); see doc/fuzzing.md
#   make bench      benchmarks (never part of check)
#   make shared     the shared library, build/libnaryn.so.VERSION
#   make man        the manual pages, build/man/naryn.1 and naryn-COMMAND.1,
#                   made by help2man from each command's --help
#   make install    under PREFIX (default /usr/local; DESTDIR is prepended
#                   to every path): bin/naryn; lib/libnaryn.a and
#                   libnaryn.so.VERSION with its links libnaryn.so.MAJOR (the
#                   soname) and libnaryn.so; lib/pkgconfig/naryn.pc;
#                   include/naryn.h; the manual pages in share/man/man1; the
#                   built-in model in share/naryn (DATADIR, where the command
#                   looks for it); README.md, doc/*.md and examples/ in
#                   share/doc/naryn (DOCDIR), as Debian policy places a
#                   package's documentation and examples, which nothing needs
#                   at run time (the model, which naryn needs, is data)
#   make uninstall  removes exactly the files make install put there, with
#                   the same PREFIX, DESTDIR and directory variables
#   make deb        build/naryn_VERSION_ARCH.deb: make install PREFIX=/usr
#                   (the libraries in Debian's multiarch folder), stripped,
#                   packed by dpkg-deb, its Depends found by dpkg-shlibdeps
#   make install-python  the Python package naryn (python/naryn) where
#                   Debian's python3 finds it (make install does it too);
#                   uninstall-python removes it
#   make clean
#
# Dependencies come from Debian packages through pkg-config: COIN-OR CLP,
# libyaml, zlib (the CRC-32 of SDDP cut files), libnetcdf (NetCDF-4 results, loaded when used), and for the tests cmocka and libpng (and Chromium, run by the
# browser test, and OpenMPI for MPI=1). scripts/deps installs them. The library is C but for its
# adapter to CLP's C++ classes (src/lp/lp_clp.cpp), built with $(CXX);
# whatever links the library also links libstdc++.

CC ?= cc
CXX ?= g++
PKGS := clp yaml-0.1 zlib
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
# What mpicc adds when it links, for the targets linked by the C++
# compiler (the out-of-memory test).
MPI_LDLIBS := $(shell pkg-config --libs ompi-c)
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
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DATADIR ?= $(PREFIX)/share/naryn
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/naryn

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

.PHONY: all check unit bad golden errors docs browser package python bench fuzz fuzzers clean \
        tests install uninstall shared man deb install-python uninstall-python
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

# The manual pages: naryn(1) and one per command (cli/cmd_COMMAND.c), each
# made from the command's own --help by scripts/manpage (help2man).
COMMANDS := $(patsubst cli/cmd_%.c,%,$(filter cli/cmd_%.c,$(CLI_SRC)))
MAN_PAGES := $(BUILD)/man/naryn.1 $(COMMANDS:%=$(BUILD)/man/naryn-%.1)

$(BUILD)/man/naryn.1: $(BIN) scripts/manpage doc/man/naryn.h2m
	@mkdir -p $(dir $@)
	scripts/manpage $(BIN) $@

$(BUILD)/man/naryn-%.1: $(BIN) scripts/manpage doc/man/command.h2m
	@mkdir -p $(dir $@)
	scripts/manpage $(BIN) $@ $*

man: $(MAN_PAGES)

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
	$(CXX) $(filter %.o,$^) $(LIB) $(LDFLAGS) $(OOM_LDFLAGS) $(TEST_LIBS) $(LDLIBS) $(MPI_LDLIBS) -o $@

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
	@BUILD=$(BUILD) tests/docs/run.sh || true
	@BUILD=$(BUILD) tests/mpi/run.sh || true
ifneq ($(SAN),1)
	@BUILD=$(BUILD) tests/browser/run.sh || true
	@BUILD=$(BUILD) tests/python/run.sh || true
endif
ifeq ($(SAN)$(MPI),)
	@BUILD=$(BUILD) tests/package/run.sh || true
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

docs: $(BIN)
	@rm -f $(BUILD)/results.txt
	@BUILD=$(BUILD) tests/docs/run.sh || true
	@tests/summarise.sh $(BUILD)/results.txt

browser: $(BIN) $(BROWSER_CHECK)
	@rm -f $(BUILD)/results.txt
	@BUILD=$(BUILD) tests/browser/run.sh || true
	@tests/summarise.sh $(BUILD)/results.txt

# The Debian package built, unpacked into a temporary root and used from
# there (tests/package/run.sh); the normal build only.
package: $(BIN)
	@rm -f $(BUILD)/results.txt
	@BUILD=$(BUILD) tests/package/run.sh || true
	@tests/summarise.sh $(BUILD)/results.txt

bench: $(BIN) $(BENCHES)
	@BUILD=$(BUILD) bench/run.sh

# Compiled as C, linked by $(CXX): a target that reaches the LPs pulls in
# the library's C++ adapter, whose sanitizer checks need the C++ runtime.
$(BUILD)/fuzz/%: fuzz/%.c fuzz/common.c fuzz/common.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc $(PKG_CFLAGS) $(CFLAGS) -c $< -o $@.o
	$(CC) $(CPPFLAGS) -Isrc $(PKG_CFLAGS) $(CFLAGS) -c fuzz/common.c -o $@.common.o
	$(CXX) $(SANFLAGS) -fsanitize=fuzzer $@.o $@.common.o $(LIB) $(LDFLAGS) $(LDLIBS) -o $@

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

# What make install puts under DESTDIR and PREFIX, and make uninstall
# removes. The built-in model is installed whole (its data/ holds the
# records its replay scenario reads); the examples keep their layout, each
# with its README and expected results.
MODEL_FILES := $(shell find models/naryn -type f 2>/dev/null | LC_ALL=C sort)
EXAMPLE_FILES := $(shell find examples -type f 2>/dev/null | LC_ALL=C sort)
DOC_FILES := $(sort $(wildcard doc/*.md))
# The command installed (make deb installs its own build of it).
INSTALL_BIN ?= $(BIN)
# $(call install_tree,FILES,DIR) installs each file at the same relative
# path under DIR.
install_tree = $(foreach f,$(1),install -D -m 644 $(f) $(2)/$(f) &&) true

install: $(INSTALL_BIN) $(LIB) $(SHLIB) $(MAN_PAGES) install-python
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	  $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)/doc
	install -m 755 $(INSTALL_BIN) $(DESTDIR)$(BINDIR)/naryn
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libnaryn.a
	install -m 644 $(SHLIB) $(DESTDIR)$(LIBDIR)/$(notdir $(SHLIB))
	ln -sf $(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libnaryn.so
	sed -e 's|@PREFIX@|$(PREFIX)|' \
	    -e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
	    -e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' \
	    -e 's|@VERSION@|$(VERSION)|' src/naryn.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/naryn.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/naryn.pc
	install -m 644 include/naryn.h $(DESTDIR)$(INCLUDEDIR)/naryn.h
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	@$(call install_tree,$(MODEL_FILES),$(DESTDIR)$(DATADIR))
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -m 644 $(DOC_FILES) $(DESTDIR)$(DOCDIR)/doc/
	@$(call install_tree,$(EXAMPLE_FILES),$(DESTDIR)$(DOCDIR))
	@# A shared library installed for the system is found only once the
	@# loader's cache knows it (Debian's /usr/local/lib among others).
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

# Removes each file install wrote, then the folders that are naryn's
# alone (DATADIR, DOCDIR) once empty; shared folders (bin, lib, ...) stay.
uninstall: uninstall-python
	rm -f $(DESTDIR)$(BINDIR)/naryn $(DESTDIR)$(LIBDIR)/libnaryn.a \
	  $(DESTDIR)$(LIBDIR)/$(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	  $(DESTDIR)$(LIBDIR)/libnaryn.so $(DESTDIR)$(PKGCONFIGDIR)/naryn.pc \
	  $(DESTDIR)$(INCLUDEDIR)/naryn.h $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN_PAGES))) \
	  $(DESTDIR)$(DOCDIR)/README.md $(addprefix $(DESTDIR)$(DOCDIR)/,$(DOC_FILES))
	@$(foreach f,$(MODEL_FILES),rm -f $(DESTDIR)$(DATADIR)/$(f) &&) true
	@$(foreach f,$(EXAMPLE_FILES),rm -f $(DESTDIR)$(DOCDIR)/$(f) &&) true
	@for d in $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR); do \
	  [ ! -d "$$d" ] || find "$$d" -depth -type d -empty -delete; done
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

# make deb: the Debian package, one package holding the command, the
# libraries, the header, naryn.pc, the manual pages, the built-in model
# and the documentation. Its command is built again with DATADIR
# /usr/share/naryn (only cli/ is compiled again, in $(BUILD)/deb/). The
# tree is staged in $(BUILD)/deb/debian/naryn, where dpkg-shlibdeps expects
# it, and packed with files owned by root. Depends: the run-time libraries
# the command and libnaryn.so link (dpkg-shlibdeps). Recommends: libnetcdf
# (loaded for NetCDF results only), what building against naryn.pc
# needs (its Requires.private: CLP's, libyaml's and zlib's development packages,
# and pkg-config) and what the Python package needs (python3-pandas); apt
# installs recommended packages unless told not to.
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
DEB_MULTIARCH := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
DEB := $(BUILD)/naryn_$(VERSION)_$(DEB_ARCH).deb
DEB_DIR := $(BUILD)/deb
DEB_ROOT := $(DEB_DIR)/debian/naryn
DEB_BIN := $(DEB_DIR)/naryn
DEB_CLI_OBJ := $(CLI_SRC:%.c=$(DEB_DIR)/%.o)
DEB_MAINTAINER ?= naryn maintainers <naryn-maintainers@localhost>
NETCDF_PACKAGE := $(shell dpkg -S "$$(pkg-config --variable=libdir netcdf)/$(NETCDF_SONAME)" \
                    2>/dev/null | sed 's/:.*//')

$(DEB_DIR)/cli/%.o: cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DNARYN_DATADIR='"/usr/share/naryn"' $(CFLAGS) -c $< -o $@

$(DEB_BIN): $(DEB_CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $(DEB_CLI_OBJ) $(LIB) $(LDLIBS) -o $@

deb: $(DEB)

$(DEB): $(DEB_BIN) $(LIB) $(SHLIB) $(MAN_PAGES) src/naryn.pc.in src/naryn.control.in \
        README.md $(DOC_FILES) $(MODEL_FILES) $(EXAMPLE_FILES) $(wildcard python/naryn/*.py)
	@rm -rf $(DEB_DIR)/debian
	@$(MAKE) --no-print-directory -s install DESTDIR=$(abspath $(DEB_ROOT)) PREFIX=/usr \
	  LIBDIR=/usr/lib/$(DEB_MULTIARCH) INSTALL_BIN=$(DEB_BIN) >/dev/null
	@cd $(DEB_ROOT)/usr && strip --remove-section=.comment --remove-section=.note bin/naryn && \
	  strip --strip-unneeded --remove-section=.comment --remove-section=.note \
	    lib/$(DEB_MULTIARCH)/$(notdir $(SHLIB)) && \
	  strip --strip-debug lib/$(DEB_MULTIARCH)/libnaryn.a && \
	  gzip -9n share/man/man1/*.1
	@printf '%s\n' 'naryn ($(VERSION)) unstable; urgency=medium' '' \
	  '  * Built from the naryn source tree by make deb.' '' \
	  ' -- $(DEB_MAINTAINER)  $(shell date -R -d @$$(git log -1 --format=%ct 2>/dev/null || date +%s))' \
	  | gzip -9n >$(DEB_ROOT)/usr/share/doc/naryn/changelog.Debian.gz
	@printf '%s\n' 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' \
	  'Upstream-Name: naryn' '' 'Files: *' 'Copyright: the naryn authors' \
	  'License: not stated' ' The naryn source tree does not yet state a licence; this file' \
	  ' will name it once it does.' \
	  >$(DEB_ROOT)/usr/share/doc/naryn/copyright
	@mkdir -p $(DEB_ROOT)/DEBIAN
	@touch $(DEB_DIR)/debian/control
	@cd $(DEB_DIR) && dpkg-shlibdeps -O -e debian/naryn/usr/bin/naryn \
	  -e debian/naryn/usr/lib/$(DEB_MULTIARCH)/$(notdir $(SHLIB)) 2>/dev/null \
	  | sed -n 's/^shlibs:Depends=//p' >debian/depends
	@test -s $(DEB_DIR)/debian/depends || { echo "make deb: dpkg-shlibdeps found no Depends" >&2; exit 1; }
	@sed -e 's|@VERSION@|$(VERSION)|' -e 's|@ARCH@|$(DEB_ARCH)|' \
	  -e 's|@MAINTAINER@|$(DEB_MAINTAINER)|' -e "s|@DEPENDS@|$$(cat $(DEB_DIR)/debian/depends)|" \
	  -e 's|@RECOMMENDS@|$(if $(NETCDF_PACKAGE),$(NETCDF_PACKAGE)$(comma) )coinor-libclp-dev, libyaml-dev, zlib1g-dev, pkg-config, python3-pandas|' \
	  -e "s|@SIZE@|$$(du -sk --exclude=DEBIAN $(DEB_ROOT) | cut -f1)|" \
	  src/naryn.control.in >$(DEB_ROOT)/DEBIAN/control
	@echo 'activate-noawait ldconfig' >$(DEB_ROOT)/DEBIAN/triggers
	@echo 'libnaryn $(firstword $(subst ., ,$(VERSION))) naryn (>= $(VERSION))' >$(DEB_ROOT)/DEBIAN/shlibs
	@cd $(DEB_ROOT) && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z \
	  | xargs -0 md5sum >DEBIAN/md5sums
	@chmod 644 $(DEB_ROOT)/DEBIAN/*
	@find $(DEB_ROOT) -type d -exec chmod 755 {} +
	dpkg-deb --root-owner-group -Zxz --build $(DEB_ROOT) $@ >/dev/null

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

-include $(LIB_OBJ:.o=.d) $(PIC_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(DEB_CLI_OBJ:.o=.d) $(wildcard $(BUILD)/tests/oom/*.d)
-include $(wildcard $(addsuffix .d,$(TESTS) $(TOOLS) $(BENCHES)))
