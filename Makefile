# hvprobe - GNU Makefile.
#   make            build the tool, the library and the test guests
#   make check      install missing Debian packages, build, run every test
#   make demo       install missing Debian packages, build, run the demo
#   make SANITIZE=1 check   the same under ASan + UBSan (separate build dir)
# Sources are found by directory, so adding a module needs no edit here.

VERSION   := 0.1.0
PKGS      := capstone jansson libelf expat libcrypto
CC        ?= cc
SANITIZE  ?=
BUILD     ?= $(if $(SANITIZE),build/san,build)

CFLAGS_BASE := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Wall -Wextra -g -O2 \
               -Iinclude -Isrc -DHVP_VERSION=\"$(VERSION)\" -MMD -MP
ifneq ($(SANITIZE),)
CFLAGS_BASE += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -O1
LDFLAGS     += -fsanitize=address,undefined
endif
PKG_CFLAGS   = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
override CFLAGS := $(CFLAGS_BASE) $(PKG_CFLAGS) $(CFLAGS)

LIB_SRC   := $(shell find src -name '*.c' ! -path 'src/cli/*' | sort)
CLI_SRC   := $(sort $(wildcard src/cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN  := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIB       := $(BUILD)/libhvprobe.a
BIN       := $(BUILD)/hvprobe

.PHONY: all deps check demo guests clean unit-tests
all: $(BIN) unit-tests guests

deps:
	@scripts/install-deps

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(LIB) $(PKG_LIBS) $(shell pkg-config --libs cmocka) $(LDFLAGS)

unit-tests: $(TEST_BIN)

guests:
	@$(MAKE) --no-print-directory -C guests BUILD=$(abspath build/guests)

check: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/run

demo: deps
	@$(MAKE) --no-print-directory all
	@$(BIN) demo

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

# libFuzzer harnesses (clang): build and run each for FUZZ_SECONDS; see fuzz/README.md.
.PHONY: fuzz
fuzz:
	@$(MAKE) --no-print-directory -C fuzz
