# hvprobe - GNU Makefile.
#   make            build the tool, the library and the test guests
#   make V=1        ... printing every command in full (default: one short
#                   line per step, e.g. "CC src/core/capture.o"; SILENT=1:
#                   none, as `make demo` builds)
#   make check      install missing Debian packages, build, run every test
#   make demo       install missing Debian packages, build, run the demo
#   make SANITIZE=1 check   the same under ASan + UBSan (separate build dir)
#   make install [PREFIX=/usr/local] [DESTDIR=...] [LIBSUBDIR=lib]   / make uninstall
#   make deb        install missing Debian packages, build hvprobe_*.deb,
#                   libhvprobe3_*.deb and libhvprobe-dev_*.deb here (debian/)
# Sources are found by directory, so adding a module needs no edit here.

VERSION   := 0.4.0
PKGS      := capstone jansson libelf expat nettle
# capstone is dlopen()ed on first use (src/arch/arm/disasm.c), not linked:
# loading it costs every process several ms of relocations at start.
LINK_PKGS := jansson libelf expat nettle
CAPSTONE_SONAME := $(shell objdump -p $$($(CC) -print-file-name=libcapstone.so) 2>/dev/null | awk '/SONAME/ {print $$2}')
CC        ?= cc
SANITIZE  ?=
BUILD     ?= $(if $(SANITIZE),build/san,build)

# The shared library's ABI version: the file is libhvprobe.so.$(SOVERSION),
# its soname libhvprobe.so.$(SOMAJOR) (bump SOMAJOR when the ABI breaks).
SOMAJOR   := 4
SOVERSION := $(SOMAJOR).0.0
CFLAGS_BASE := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Wall -Wextra -g -O2 -fPIC \
               -Iinclude -Isrc -DHVP_VERSION=\"$(VERSION)\" -MMD -MP -pthread \
               $(if $(CAPSTONE_SONAME),-DHVP_CAPSTONE_SONAME=\"$(CAPSTONE_SONAME)\")
ifneq ($(SANITIZE),)
CFLAGS_BASE += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -O1
LDFLAGS     += -fsanitize=address,undefined
endif
PKG_CFLAGS   = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS     = $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null) -lm -pthread
override CFLAGS := $(CFLAGS_BASE) $(PKG_CFLAGS) $(CFLAGS)

LIB_SRC   := $(shell find src -name '*.c' ! -path 'src/cli/*' | sort)
CLI_SRC   := $(sort $(wildcard src/cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN  := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIB       := $(BUILD)/libhvprobe.a
SOLIB     := $(BUILD)/libhvprobe.so.$(SOVERSION)
BIN       := $(BUILD)/hvprobe
MAN       := $(BUILD)/hvprobe.1
PC        := $(BUILD)/hvprobe.pc

PREFIX    ?= /usr/local
DESTDIR   ?=
BINDIR    := $(DESTDIR)$(PREFIX)/bin
# Libraries and hvprobe.pc go to $(PREFIX)/$(LIBSUBDIR): Debian's packaging
# passes LIBSUBDIR=lib/$(DEB_HOST_MULTIARCH).
LIBSUBDIR ?= lib
LIBDIR    := $(DESTDIR)$(PREFIX)/$(LIBSUBDIR)
INCDIR    := $(DESTDIR)$(PREFIX)/include/hvprobe
SHAREDIR  := $(DESTDIR)$(PREFIX)/share
PUBLIC_H  := $(sort $(wildcard include/hvprobe/*.h))

# Quiet by default: `say` prints "TAG target" and Q hides the command;
# V=1 shows the commands instead.
ifeq ($(V),1)
Q   :=
say  = :
else ifeq ($(SILENT),1)
Q   := @
say  = :
else
Q   := @
say  = printf '  %-6s %s\n' $(1) $(patsubst $(BUILD)/obj/%,%,$(2))
endif

.PHONY: all deps demo-deps deb-deps check demo bench guests clean unit-tests install uninstall dist-files deb
all: $(BIN) $(SOLIB) $(MAN) $(PC) unit-tests guests

# What `make install` installs, built (Debian's package build uses this).
dist-files: $(BIN) $(SOLIB) $(LIB) $(MAN) $(PC)

deps:
	@scripts/install-deps check

demo-deps:
	@scripts/install-deps demo

deb-deps:
	@scripts/install-deps deb

$(BUILD)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	@$(call say,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	@$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(SOLIB): $(LIB_OBJ)
	@$(call say,LD,$@)
	$(Q)$(CC) -shared -Wl,-soname,libhvprobe.so.$(SOMAJOR) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The man page is rendered from the binary's own --help texts.
$(MAN): $(BIN) scripts/gen-man
	@$(call say,MAN,$@)
	$(Q)scripts/gen-man $(BIN) > $@

# hvprobe.pc for a prefix ($(1)); `make install` writes it again with the
# PREFIX it installs to, so an earlier build's prefix never leaks in.
write_pc = printf '%s\n' 'prefix=$(1)' 'libdir=$${prefix}/$(LIBSUBDIR)' 'includedir=$${prefix}/include' '' \
	  'Name: hvprobe' 'Description: capture and explain ARM guest exception state across hypervisors' \
	  'Version: $(VERSION)' 'Requires.private: $(LINK_PKGS)' 'Libs: -L$${libdir} -lhvprobe' \
	  'Libs.private: -lm -pthread' 'Cflags: -I$${includedir}'
$(PC): Makefile
	@mkdir -p $(dir $@)
	$(Q)$(call write_pc,$(PREFIX)) > $@

$(BIN): $(CLI_OBJ) $(LIB)
	@$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(call say,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests -o $@ $< $(LIB) $(PKG_LIBS) $(shell pkg-config --libs cmocka) $(LDFLAGS)

unit-tests: $(TEST_BIN)

guests:
	@$(MAKE) --no-print-directory -C guests BUILD=$(abspath build/guests)

check: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/run

# The demo needs the tool and the guests, not the tests.
demo: demo-deps
	@echo "  BUILD  hvprobe and its test guests (make V=1 demo shows every command)"
	@$(MAKE) --no-print-directory SILENT=$(if $(V),,1) $(BIN) guests
	@$(BIN) demo

# Benchmarks print figures (README "Performance"); they assert nothing.
bench: deps
	@$(MAKE) --no-print-directory all
	bench/all.sh $(RUNS)

install: $(BIN) $(SOLIB) $(LIB) $(MAN) $(PC)
	install -d $(BINDIR) $(LIBDIR)/pkgconfig $(INCDIR) $(SHAREDIR)/man/man1 $(SHAREDIR)/hvprobe \
	    $(SHAREDIR)/bash-completion/completions $(SHAREDIR)/doc/hvprobe/examples
	install -m 755 $(BIN) $(BINDIR)/hvprobe
	install -m 644 $(LIB) $(LIBDIR)/libhvprobe.a
	install -m 755 $(SOLIB) $(LIBDIR)/libhvprobe.so.$(SOVERSION)
	ln -sf libhvprobe.so.$(SOVERSION) $(LIBDIR)/libhvprobe.so.$(SOMAJOR)
	ln -sf libhvprobe.so.$(SOMAJOR) $(LIBDIR)/libhvprobe.so
	install -m 644 $(PUBLIC_H) $(INCDIR)/
	$(call write_pc,$(PREFIX)) > $(LIBDIR)/pkgconfig/hvprobe.pc
	install -m 644 $(MAN) $(SHAREDIR)/man/man1/hvprobe.1
	install -m 644 docs/snapshot.schema.json docs/snapshot.md $(SHAREDIR)/hvprobe/
	install -m 644 scripts/hvprobe.bash-completion $(SHAREDIR)/bash-completion/completions/hvprobe
	cp -R guests/tiny guests/rtos guests/hyp-fixture guests/route guests/probe guests/zimage guests/sel4-vbar guests/a64 guests/a64-fixture \
	    $(SHAREDIR)/doc/hvprobe/examples/
	install -m 644 examples/run-capture.c $(SHAREDIR)/doc/hvprobe/examples/
	cp guests/Makefile $(SHAREDIR)/doc/hvprobe/examples/

uninstall:
	rm -f $(BINDIR)/hvprobe $(LIBDIR)/libhvprobe.a $(LIBDIR)/libhvprobe.so $(LIBDIR)/libhvprobe.so.$(SOMAJOR) \
	    $(LIBDIR)/libhvprobe.so.$(SOVERSION) $(LIBDIR)/pkgconfig/hvprobe.pc $(SHAREDIR)/man/man1/hvprobe.1 \
	    $(SHAREDIR)/bash-completion/completions/hvprobe
	rm -f $(addprefix $(INCDIR)/,$(notdir $(PUBLIC_H)))
	rm -rf $(SHAREDIR)/hvprobe $(SHAREDIR)/doc/hvprobe
	-rmdir $(INCDIR) 2>/dev/null

clean:
	rm -rf build

# Debian packages, built with debhelper (debian/) from a copy of the sources
# (tracked and untracked-but-not-ignored files) under build/deb, because
# dpkg-buildpackage writes its results next to the source directory.  The
# copy's build sees neither this make's variables nor its BUILD/SANITIZE.
# The three packages land here; the -dbgsym ones stay in build/deb.
DEB_SRC := build/deb/hvprobe-$(VERSION)
DEB_LOG := build/deb/build.log
deb: deb-deps
	@v=$$(dpkg-parsechangelog -S Version); [ "$${v%-*}" = "$(VERSION)" ] || \
	    { echo "make deb: debian/changelog is at $$v, the Makefile at $(VERSION): add an entry (dch -v $(VERSION)-1)" >&2; exit 1; }
	@rm -rf build/deb && mkdir -p $(DEB_SRC)
	@$(call say,COPY,$(DEB_SRC))
	$(Q)if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	    git ls-files -z --cached --others --exclude-standard | tar --null -T - --ignore-failed-read -cf - 2>/dev/null; \
	else tar --exclude=./build --exclude='./*.deb' -cf - .; fi | tar -xf - -C $(DEB_SRC)
	@$(if $(filter 1,$(SILENT)),:,echo "  DEB    dpkg-buildpackage -b, log in $(DEB_LOG)")
	$(Q)cd $(DEB_SRC) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u SANITIZE \
	    dpkg-buildpackage -b -us -uc -jauto >$(abspath $(DEB_LOG)) 2>&1 || \
	    { echo "make deb: dpkg-buildpackage failed; the end of $(DEB_LOG):" >&2; tail -n 25 $(abspath $(DEB_LOG)) >&2; exit 1; }
	$(Q)rm -f hvprobe_*.deb libhvprobe[0-9]*_*.deb libhvprobe-dev_*.deb
	@for f in build/deb/*.deb; do case $$f in *-dbgsym_*) continue ;; esac; \
	    mv $$f . && $(if $(filter 1,$(SILENT)),:,echo "  OUT    ./$${f##*/}"); done

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

# libFuzzer harnesses (clang): build and run each for FUZZ_SECONDS; see fuzz/README.md.
.PHONY: fuzz
fuzz:
	@$(MAKE) --no-print-directory -C fuzz
