# tern — TLS 1.2 from scratch.  See README.md.
#
# Sources are found by wildcard, so adding a file never needs a Makefile edit:
#   crypto/*.c lib/*.c lib/x509/*.c  -> libtern.a, libtern.so
#   tests/test_*.c                   -> one cmocka binary each (linked with tests/util/*.c)
#   bench/*.c                        -> bench/tern-bench (links OpenSSL's libcrypto; bench only)
# CPU-specific files carry their instruction set in their name and get its flags here:
#   *_aesni.c *_pclmul.c  -> -maes -mpclmul -mssse3 -msse4.1
#   *_shani.c             -> -msha -mssse3 -msse4.1
#   *_avx2.c              -> -mavx2 -mbmi2
#   *_vaes.c              -> -mavx2 -maes -mpclmul -mvaes -mvpclmulqdq
#   *_avx512.c            -> -mavx512f -mavx512vl -mavx512bw -mavx512ifma (+vaes/vpclmul)
#   *_adx.c               -> -mbmi2 -madx
# They are only ever called after crypto/cpu.c has seen the feature at run time.

CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
LIBDIR   ?= $(PREFIX)/lib
INCDIR   ?= $(PREFIX)/include
BINDIR   ?= $(PREFIX)/bin
VERSION  := 0.1.0
SOMAJOR  := 0

BUILD    ?= build
OPT      ?= -O2
WARN     := -std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= $(OPT) -g
ALL_CFLAGS = $(WARN) $(CFLAGS) -D_DEFAULT_SOURCE -fPIC -fvisibility=hidden -Iinclude -I. $(TEST_DEFS) $(XCFLAGS)

LIB_SRC  := $(sort $(wildcard crypto/*.c lib/*.c lib/x509/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_UTIL_SRC := $(sort $(wildcard tests/util/*.c))
TEST_UTIL_OBJ := $(TEST_UTIL_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(sort $(wildcard tools/*.c))
EXAMPLE_SRC := $(sort $(wildcard examples/*.c))
EXAMPLE_BIN := $(EXAMPLE_SRC:examples/%.c=$(BUILD)/examples/%)
BENCH_SRC := $(sort $(wildcard bench/*.c))

AESNI_FLAGS  := -maes -mpclmul -mssse3 -msse4.1
SHANI_FLAGS  := -msha -mssse3 -msse4.1
AVX2_FLAGS   := -mavx2 -mbmi2
VAES_FLAGS   := -mavx2 -maes -mpclmul -mvaes -mvpclmulqdq
AVX512_FLAGS := -mavx2 -maes -mpclmul -mvaes -mvpclmulqdq -mavx512f -mavx512vl -mavx512bw -mavx512ifma
ADX_FLAGS    := -mbmi2 -madx

isa_flags = $(if $(filter %_aesni.c %_pclmul.c,$1),$(AESNI_FLAGS))$(if $(filter %_shani.c,$1),$(SHANI_FLAGS))$(if $(filter %_avx2.c,$1),$(AVX2_FLAGS))$(if $(filter %_vaes.c,$1),$(VAES_FLAGS))$(if $(filter %_avx512.c,$1),$(AVX512_FLAGS))$(if $(filter %_adx.c,$1),$(ADX_FLAGS))

CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)
HAVE_LIBCRYPTO := $(shell pkg-config --exists libcrypto 2>/dev/null && echo 1)

.SECONDARY:
.PHONY: all test check ctgrind bench fuzz fuzz-smoke install uninstall clean demo examples tools
all: $(BUILD)/libtern.a $(BUILD)/libtern.so tools examples

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(call isa_flags,$<) -MMD -MP -c $< -o $@

$(BUILD)/libtern.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/libtern.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libtern.so.$(SOMAJOR) -o $@.$(VERSION) $^ $(LDFLAGS)
	ln -sf libtern.so.$(VERSION) $@.$(SOMAJOR)
	ln -sf libtern.so.$(VERSION) $@

# Tests link the static library built with hidden visibility, so they may call
# internal (non-exported) functions too.
$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(TEST_UTIL_OBJ) $(BUILD)/libtern.a
	$(CC) $(CFLAGS) $(XCFLAGS) -o $@ $< $(TEST_UTIL_OBJ) $(BUILD)/libtern.a $(CMOCKA_LIBS) $(TEST_LIBS) $(LDFLAGS)

# Tests that cross-check against OpenSSL link libcrypto when it is there.
ifeq ($(HAVE_LIBCRYPTO),1)
TEST_LIBS := $(shell pkg-config --libs libcrypto)
$(BUILD)/tests/%.o: TEST_DEFS := -DTERN_TEST_HAVE_OPENSSL=1
endif

# The load client (bench/load/, `make load`; its smoke test runs in make test).
LOAD_BIN := $(BUILD)/bench/tern_load
test: $(TEST_BIN) $(EXAMPLE_BIN) tools $(LOAD_BIN)
	+@sh tests/run_tests.sh $(BUILD) $(TEST_BIN)

# ASan + UBSan build of the library and tests, in its own build directory.
check:
	$(MAKE) BUILD=build-san OPT=-O1 XCFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" test

# Constant-time checks: secrets marked undefined under valgrind memcheck.
CTGRIND_SRC := $(sort $(wildcard tests/ctgrind/*.c))
CTGRIND_BIN := $(CTGRIND_SRC:tests/ctgrind/%.c=$(BUILD)/ctgrind/%)
$(BUILD)/ctgrind/%: tests/ctgrind/%.c $(BUILD)/libtern.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -D_DEFAULT_SOURCE -Iinclude -I. -o $@ $< $(BUILD)/libtern.a
ctgrind: $(CTGRIND_BIN)
	@sh tests/run_ctgrind.sh $(CTGRIND_BIN)

# libssl too when present: the TLS rows (bench/bench_tls.c) compare against it.
HAVE_LIBSSL := $(shell pkg-config --exists libssl 2>/dev/null && echo 1)
BENCH_LIBS := $(if $(HAVE_LIBCRYPTO),$(if $(HAVE_LIBSSL),$(shell pkg-config --libs libssl)) $(shell pkg-config --libs libcrypto))
BENCH_DEFS := $(if $(HAVE_LIBCRYPTO),-DTERN_BENCH_HAVE_OPENSSL=1 $(if $(HAVE_LIBSSL),-DTERN_BENCH_HAVE_LIBSSL=1))
$(BUILD)/bench/tern-bench: $(BENCH_SRC) $(BUILD)/libtern.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -D_DEFAULT_SOURCE $(BENCH_DEFS) -Iinclude -I. -o $@ $(BENCH_SRC) $(BUILD)/libtern.a $(BENCH_LIBS)
bench: $(BUILD)/bench/tern-bench
	@$(if $(HAVE_LIBCRYPTO),,echo "note: OpenSSL's libcrypto (libssl-dev) not found: printing tern's figures only" >&2;) \
	$(BUILD)/bench/tern-bench

# The load client (bench/load/tern_load.c: tern's non-blocking client over
# epoll) and `make load` (bench/load/run_load.sh: tern server --http, nginx
# and openssl s_server under N concurrent handshakes; not part of make test,
# which runs only the small tests/load_smoke.test.sh with it).
$(LOAD_BIN): bench/load/tern_load.c $(BUILD)/libtern.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(XCFLAGS) -D_DEFAULT_SOURCE -Iinclude -o $@ $< $(BUILD)/libtern.a -lm
.PHONY: load
load: $(LOAD_BIN) tools
	@sh bench/load/run_load.sh $(BUILD)

$(BUILD)/examples/%: examples/%.c $(BUILD)/libtern.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(XCFLAGS) -D_DEFAULT_SOURCE -Iinclude -o $@ $< $(BUILD)/libtern.a
examples: $(EXAMPLE_BIN)

$(BUILD)/tools/tern: $(TOOL_SRC) $(BUILD)/libtern.a
	@mkdir -p $(dir $@)
	$(if $(TOOL_SRC),$(CC) $(WARN) $(CFLAGS) $(XCFLAGS) -D_DEFAULT_SOURCE -Iinclude -I. -o $@ $(TOOL_SRC) $(BUILD)/libtern.a,@true)
tools: $(if $(TOOL_SRC),$(BUILD)/tools/tern)

# The README's first command: one handshake narrated by `tern client --trace`
# against `tern server` (and openssl s_server when installed), all on 127.0.0.1.
# Needs no cmocka and no network (tools/demo.sh).
demo: tools
	@sh tools/demo.sh $(BUILD)

tern.pc: tern.pc.in Makefile
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

install: all tools tern.pc
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR)/tern $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 include/tern/*.h $(DESTDIR)$(INCDIR)/tern/
	install -m 644 $(BUILD)/libtern.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(BUILD)/libtern.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libtern.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libtern.so.$(SOMAJOR)
	ln -sf libtern.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libtern.so
	install -m 644 tern.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	$(if $(TOOL_SRC),install -d $(DESTDIR)$(BINDIR) && install -m 755 $(BUILD)/tools/tern $(DESTDIR)$(BINDIR)/tern)

uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCDIR)/tern/,$(notdir $(wildcard include/tern/*.h)))
	rm -f $(DESTDIR)$(BINDIR)/tern
	-rmdir $(DESTDIR)$(INCDIR)/tern 2>/dev/null
	rm -f $(DESTDIR)$(LIBDIR)/libtern.a $(DESTDIR)$(LIBDIR)/libtern.so $(DESTDIR)$(LIBDIR)/libtern.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libtern.so.$(VERSION)
	rm -f $(DESTDIR)$(LIBDIR)/pkgconfig/tern.pc

clean:
	rm -rf build build-san build-clang build-fuzz tern.pc

# Fuzzing (clang + libFuzzer): each tests/fuzz/fuzz_*.c defines LLVMFuzzerTestOneInput.
# The library is rebuilt in build-fuzz with ASan+UBSan and coverage instrumentation.
FUZZ_CC      ?= clang
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_LIB     := build-fuzz/obj/libtern.a
FUZZ_SECONDS ?= 30
fuzz: $(FUZZ_BIN)
ifneq ($(BUILD),build-fuzz/obj)
.PHONY: $(FUZZ_LIB)
$(FUZZ_LIB):
	+$(MAKE) BUILD=build-fuzz/obj CC=$(FUZZ_CC) OPT=-O1 XCFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_LIB)
endif
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) $(TEST_UTIL_SRC)
	$(FUZZ_CC) $(WARN) -O1 -g -D_DEFAULT_SOURCE -Iinclude -I. $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(TEST_UTIL_SRC) $(FUZZ_LIB)
# Run every target for FUZZ_SECONDS, starting from its committed seeds (tests/fuzz/corpus/<name>/).
fuzz-smoke: $(FUZZ_BIN)
	@sh tests/fuzz/run_smoke.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

-include $(LIB_OBJ:.o=.d) $(TEST_UTIL_OBJ:.o=.d) $(TEST_BIN:=.d)

# Static analysis (tests/analyze.sh): cppcheck, and clang-tidy with the checks
# in .clang-tidy, one file per job (make -j) with the file's ISA flags.
TIDY        ?= clang-tidy
ANALYZE_LOG := $(LIB_SRC:%.c=$(BUILD)/analyze/%.tidy)
$(BUILD)/analyze/%.tidy: %.c .clang-tidy
	@mkdir -p $(dir $@)
	@$(TIDY) --quiet $< -- -std=c11 -D_DEFAULT_SOURCE -Iinclude -I. $(call isa_flags,$<) >$@.tmp 2>&1 || true
	@mv $@.tmp $@
.PHONY: analyze
analyze: $(ANALYZE_LOG)
	@sh tests/analyze.sh $(ANALYZE_LOG)
