# coso — GNU Makefile.  `make V=1` shows the commands.
# Targets: all test demo demo-net fuzz bench format check-format install clean.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DESTDIR ?=
B := build

CC ?= cc
PKGS := libsodium sqlite3 jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lsodium -lsqlite3 -ljansson)
# Debian's nng ships no .pc file: fall back to -lnng.
NNG_LIBS := $(shell pkg-config --libs nng 2>/dev/null || echo -lnng)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)
UNISTRING_LIBS := -lunistring
CURL_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null || echo -lcurl)

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Werror
CFLAGS ?= -O2 -g
# The user's CPPFLAGS and LDFLAGS (hardening, other prefixes) go on every
# compile and link line; ours come first so that theirs can add to them.
# common/ holds the common layer's program-level headers (i18n.h, util.h,
# httpd.h ...) beside its sources; docs/architecture.md.
INCLUDES := -Iproto/include -Icommon/include -Icommon -Iclient/include
ALL_CPPFLAGS := -D_POSIX_C_SOURCE=200809L $(INCLUDES) $(CPPFLAGS)
ALL_CFLAGS := -std=c11 $(WARN) $(CFLAGS) $(ALL_CPPFLAGS) $(PKG_CFLAGS) \
	-MMD -MP
LINK = $(CC) $(CFLAGS) $(LDFLAGS)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
# libxlsxwriter: the central's XLSX reports (daemon/central/report/report_out.c).
XLSX_LIBS := $(shell pkg-config --libs xlsxwriter 2>/dev/null || echo -lxlsxwriter -lz)
# zlib: the client library inflates .xlsx workbooks (client/lib/xlsx.c),
# so every program and test linking it names -lz itself.
ZLIB_LIBS := $(shell pkg-config --libs zlib 2>/dev/null || echo -lz)
LIBS := $(PKG_LIBS) $(UNISTRING_LIBS) -lzstd $(ZLIB_LIBS) $(NNG_LIBS) -lpthread
# libqrencode: `coso admin token --qr/--png' (client/cli/qr.c), whose PNG
# file is deflated with zlib.
QR_LIBS := $(shell pkg-config --libs libqrencode zlib 2>/dev/null || echo -lqrencode -lz)

ifeq ($(V),1)
Q :=
else
Q := @
endif

PROTO_SRCS := $(sort $(wildcard proto/*.c))
PROTO_OBJS := $(PROTO_SRCS:%.c=$(B)/%.o)
PROTO_SAN_OBJS := $(PROTO_SRCS:%.c=$(B)/san/%.o)
PROTO_LIB := $(B)/libcoso_proto.a
PROTO_SAN_LIB := $(B)/san/libcoso_proto.a

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
UNIT_SAN_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/san/tests/%)

FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)
FUZZ_SECONDS ?= 60
FUZZ_QUICK_SECONDS ?= 10

COMMON_SRCS := $(sort $(wildcard common/*.c))
COMMON_LIB := $(B)/libcoso_common.a
COMMON_SAN_LIB := $(B)/san/libcoso_common.a

CLIENT_LIB_SRCS := $(sort $(wildcard client/lib/*.c))
CLIENT_LIB := $(B)/libcoso_client.a
CLIENT_SAN_LIB := $(B)/san/libcoso_client.a
CLI_SRCS := $(sort $(wildcard client/cli/*.c))
CLI_OBJS := $(CLI_SRCS:%.c=$(B)/%.o)
AUDIT_SRCS := $(sort $(wildcard client/audit/*.c))
AUDIT_OBJS := $(AUDIT_SRCS:%.c=$(B)/%.o)
# The central's modules, as a library its tests and benchmarks link too;
# cosod's main and the field agent are the program's own objects.
CENTRAL_SRCS := $(sort $(wildcard daemon/central/*.c daemon/central/*/*.c))
CENTRAL_LIB := $(B)/libcosod_central.a
CENTRAL_SAN_LIB := $(B)/san/libcosod_central.a
# The cadre's app (daemon/app/, served by `cosod field run --ui') over the
# client library, with its pages embedded (web/app/).
APP_SRCS := $(sort $(wildcard daemon/app/*.c))
APP_LIB := $(B)/libcosod_app.a
APP_SAN_LIB := $(B)/san/libcosod_app.a
DAEMON_SRCS := $(sort $(wildcard daemon/*.c))
DAEMON_OBJS := $(DAEMON_SRCS:%.c=$(B)/%.o)
PROGRAMS := $(B)/coso $(if $(AUDIT_SRCS),$(B)/coso-audit) \
	$(if $(DAEMON_SRCS),$(B)/cosod)
TEST_TOOLS := $(B)/mkcs $(B)/kill_writes $(B)/wirepush $(B)/mkxlsx \
	$(B)/synccount.so

# Every library of ours, in link order (each uses only those after it:
# docs/architecture.md), and what each test program links: all of them,
# so a test of any layer is one pattern rule; the linker takes only the
# objects a test calls.
OUR_LIBS := $(APP_LIB) $(CENTRAL_LIB) $(CLIENT_LIB) $(COMMON_LIB) \
	$(PROTO_LIB)
OUR_SAN_LIBS := $(APP_SAN_LIB) $(CENTRAL_SAN_LIB) $(CLIENT_SAN_LIB) \
	$(COMMON_SAN_LIB) \
	$(PROTO_SAN_LIB)
TEST_LIBS := $(CMOCKA_LIBS) $(CURL_LIBS) $(LIBS) $(XLSX_LIBS) $(QR_LIBS)

.DEFAULT_GOAL := all
include po/po.mk

.PHONY: all test unit unit-san fuzz fuzz-quick fuzz-build demo demo-net bench \
	format check-format install clean deps print-libs check-deps test-bare \
	browser-test deb test-debs
all: $(PROTO_LIB) $(PROGRAMS) $(TEST_TOOLS) $(MO_FILES)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/san/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC-SAN  $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

define archive
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^
endef

$(PROTO_LIB): $(PROTO_OBJS)
	$(archive)
$(PROTO_SAN_LIB): $(PROTO_SAN_OBJS)
	$(archive)
$(COMMON_LIB): $(COMMON_SRCS:%.c=$(B)/%.o)
	$(archive)
$(COMMON_SAN_LIB): $(COMMON_SRCS:%.c=$(B)/san/%.o)
	$(archive)
$(CLIENT_LIB): $(CLIENT_LIB_SRCS:%.c=$(B)/%.o)
	$(archive)
$(CLIENT_SAN_LIB): $(CLIENT_LIB_SRCS:%.c=$(B)/san/%.o)
	$(archive)
$(CENTRAL_LIB): $(CENTRAL_SRCS:%.c=$(B)/%.o) $(B)/gen/console_assets.o
	$(archive)
$(CENTRAL_SAN_LIB): $(CENTRAL_SRCS:%.c=$(B)/san/%.o) \
		$(B)/san/gen/console_assets.o
	$(archive)
$(APP_LIB): $(APP_SRCS:%.c=$(B)/%.o) $(B)/gen/app_assets.o
	$(archive)
$(APP_SAN_LIB): $(APP_SRCS:%.c=$(B)/san/%.o) $(B)/san/gen/app_assets.o
	$(archive)

# test_wipe looks into every block our code frees (tests/unit/test_wipe.c).
WRAP_test_wipe := -Wl,--wrap=free

$(B)/tests/%: $(B)/tests/unit/%.o $(OUR_LIBS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LINK) $(WRAP_$*) -o $@ $< $(OUR_LIBS) $(TEST_LIBS)

$(B)/san/tests/%: $(B)/san/tests/unit/%.o $(OUR_SAN_LIBS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(LINK) $(SAN_FLAGS) $(WRAP_$*) -o $@ $< $(OUR_SAN_LIBS) \
		$(TEST_LIBS)

$(B)/coso: $(CLI_OBJS) $(CLIENT_LIB) $(COMMON_LIB) $(PROTO_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LINK) -o $@ $^ $(LIBS) $(QR_LIBS)

$(B)/coso-audit: $(AUDIT_OBJS) $(COMMON_LIB) $(PROTO_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LINK) -o $@ $^ $(CURL_LIBS) $(LIBS)

# `cosod field' is the device's sync agent: it links the client library.
$(B)/cosod: $(DAEMON_OBJS) $(APP_LIB) $(CENTRAL_LIB) $(CLIENT_LIB) \
		$(COMMON_LIB) $(PROTO_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LINK) -o $@ $^ $(CURL_LIBS) $(LIBS) $(XLSX_LIBS) $(QR_LIBS)

# The cadre's app's pages (web/app/), embedded in cosod: nothing of them
# is read from disk or a network when it runs (daemon/app/embed.sh).
# The office's console (web/console/, served by `cosod central run
# --http' at /console/) likewise, in the central's library.
APP_ASSETS := $(sort $(shell find web/app -type f 2>/dev/null))
CONSOLE_ASSETS := $(sort $(shell find web/console -type f 2>/dev/null))
$(B)/gen/app_assets.c: daemon/app/embed.sh $(APP_ASSETS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  EMBED   $@")
	$(Q)sh daemon/app/embed.sh web/app app >$@.tmp && mv $@.tmp $@
$(B)/gen/console_assets.c: daemon/app/embed.sh $(CONSOLE_ASSETS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  EMBED   $@")
	$(Q)sh daemon/app/embed.sh web/console console >$@.tmp && \
		mv $@.tmp $@
$(B)/gen/%_assets.o: $(B)/gen/%_assets.c daemon/app/assets.h
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(B)/san/gen/%_assets.o: $(B)/gen/%_assets.c daemon/app/assets.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC-SAN  $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

# Test tools and benchmarks: one source each, linked like the programs.
$(B)/mkcs $(B)/wirepush: $(B)/%: tests/tools/%.c $(CLIENT_LIB) \
		$(COMMON_LIB) $(PROTO_LIB)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -MF $(B)/$*.d -o $@ $< \
		$(CLIENT_LIB) $(COMMON_LIB) $(PROTO_LIB) $(LIBS)

# A build/mkcs.d written before common/ existed names client/cli/util.c:
# a stale dependency, not an error (the next link rewrites the file).
client/cli/util.c:

# Counts a process's fsync and fdatasync calls (LD_PRELOAD): the sync
# test (tests/cli/test_syncs.sh) and bench_client.
$(B)/synccount.so: tests/tools/synccount.c
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -shared $(LDFLAGS) \
		-MF $(B)/synccount.d -o $@ $< -ldl

# Workbooks for the .xlsx import tests, written as the central writes.
$(B)/mkxlsx: tests/tools/mkxlsx.c
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -MF $(B)/mkxlsx.d -o $@ $< \
		$(XLSX_LIBS)

# Fuzz targets: clang with libFuzzer, each decoder compiled in with the
# same flags (proto whole: a decoder may call any of it).
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined
FUZZ_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L $(INCLUDES) $(CPPFLAGS) \
	$(FUZZ_FLAGS)
# The decoder each target tests, beyond proto.
FUZZ_SRCS_fuzz_csv := common/csv.c
FUZZ_SRCS_fuzz_xlsx := client/lib/xlsx.c
FUZZ_SRCS_fuzz_httphead := common/httphead.c
FUZZ_SRCS_fuzz_httpq := common/httpq.c
FUZZ_SRCS_fuzz_api := client/audit/api.c
FUZZ_SRCS_fuzz_console_login := daemon/central/console_login.c

.SECONDEXPANSION:
$(B)/fuzz/%: tests/fuzz/%.c $$(FUZZ_SRCS_$$*) $(PROTO_SRCS) \
		proto/include/coso/proto.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(LDFLAGS) -o $@ $< $(FUZZ_SRCS_$*) \
		$(PROTO_SRCS) $(LIBS)

$(B)/kill_writes: tests/crash/kill_writes.c
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -MF $(B)/kill_writes.d -o $@ $< \
		$(LIBS)

BENCH_HEADERS := bench/bench_common.h bench/bench_central.h
$(B)/bench_%: bench/bench_%.c $(BENCH_HEADERS) $(OUR_LIBS)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -MF $(B)/bench_$*.d -o $@ $< \
		$(OUR_LIBS) $(LIBS) $(XLSX_LIBS)

BENCH_FRAGMENTS := $(B)/bench-client.json $(B)/bench-sync.json \
	$(B)/bench-audit.json $(B)/bench-report.json $(B)/bench-app.json \
	$(B)/bench-pull.json
# Entries in the audit benchmark's log (its database is built once and
# kept under $(B)/bench-audit-N).
BENCH_AUDIT_N ?= 1000000

bench: deps all $(B)/bench_client $(B)/bench_sync $(B)/bench_audit \
		$(B)/bench_report $(B)/bench_app $(B)/bench_pull
	$(Q)$(B)/bench_client $(B)/coso $(B)/bench-client.json
	$(Q)$(B)/bench_sync $(B) $(B)/bench-sync.json
	$(Q)$(B)/bench_audit $(B) $(B)/bench-audit.json $(BENCH_AUDIT_N)
	$(Q)$(B)/bench_report $(B) $(B)/bench-report.json
	$(Q)$(B)/bench_app $(B) $(B)/bench-app.json
	$(Q)$(B)/bench_pull $(B) $(B)/bench-pull.json
	$(Q)sh bench/assemble.sh bench/results.json $(BENCH_FRAGMENTS)
	@echo "bench: wrote bench/results.json"

deps:
	$(Q)sh deploy/install-deps.sh --check-or-install

# Every library flag of every link line, for deploy/check-deps.sh.
print-libs:
	@echo $(LIBS) $(XLSX_LIBS) $(CMOCKA_LIBS) $(CURL_LIBS) $(QR_LIBS)

check-deps:
	$(Q)sh deploy/check-deps.sh

# test_report runs build/cosod for its XLSX output: built first.
unit: $(UNIT_BINS) | $(B)/cosod
	$(Q)sh tests/run-unit.sh $(UNIT_BINS)

unit-san: $(UNIT_SAN_BINS) | $(B)/cosod
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		sh tests/run-unit.sh $(UNIT_SAN_BINS)

fuzz-build: $(FUZZ_BINS)

fuzz: deps $(FUZZ_BINS)
	$(Q)sh tests/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

fuzz-quick: $(FUZZ_BINS)
	$(Q)sh tests/run-fuzz.sh $(FUZZ_QUICK_SECONDS) $(FUZZ_BINS)

test: deps
	$(Q)$(MAKE) --no-print-directory check-format
	$(Q)$(MAKE) --no-print-directory check-deps
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory unit-san
	$(Q)sh tests/vectors/check-openssl.sh
	$(Q)sh tests/vectors/check-receipt-openssl.sh
	$(Q)sh tests/vectors/render-doc.sh --check
	$(Q)if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory fuzz-quick; \
	else echo "clang not found: fuzz targets skipped"; fi
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh tests/cli/run.sh $(B)
	$(Q)sh tests/cli/test_field.sh $(B)
	$(Q)sh tests/cli/test_admin.sh $(B)
	$(Q)sh tests/cli/test_tree.sh $(B)
	$(Q)sh tests/cli/test_cadre.sh $(B)
	$(Q)sh tests/cli/test_console.sh $(B)
	$(Q)sh tests/cli/test_syncs.sh $(B)
	$(Q)$(B)/kill_writes $(B)/coso 400 $$(date +%s)
	$(Q)bash tests/e2e/test_sync.sh $(B)
	$(Q)bash tests/e2e/test_http.sh $(B)
	$(Q)bash tests/e2e/test_audit.sh $(B)
	$(Q)bash tests/e2e/test_gossip.sh $(B)
	$(Q)bash tests/e2e/test_leader.sh $(B)
	$(Q)bash tests/e2e/test_flows.sh $(B)
	$(Q)bash tests/e2e/test_clock.sh $(B)
	$(Q)bash tests/e2e/test_restore.sh $(B)
	$(Q)bash tests/e2e/test_cadre.sh $(B)
	$(Q)bash tests/e2e/test_pull_scope.sh $(B)
	$(Q)bash tests/e2e/test_app.sh $(B)
	$(Q)bash tests/e2e/test_console_auth.sh $(B)
	$(Q)bash tests/e2e/test_backup.sh $(B)
	$(Q)bash tests/e2e/test_metrics.sh $(B)
	$(Q)bash tests/e2e/test_lost_device.sh $(B)
	$(Q)bash tests/e2e/test_witness.sh $(B)
	$(Q)bash tests/e2e/test_systemd.sh $(B)
	$(Q)bash tests/e2e/test_tls.sh $(B)
	$(Q)bash tests/e2e/test_upgrade.sh $(B)
	$(Q)$(MAKE) --no-print-directory browser-test
	$(Q)$(MAKE) --no-print-directory fault-quick

# The cadre's app in headless Chromium, phone and laptop sizes, against
# the real programs; screenshots of every screen under $(B)/browser/.
# Debian's python3 (its python3-selenium), not another one first in PATH.
BROWSER_PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 \
	|| echo python3)
# The office's console likewise (tests/browser/console.py): every page
# against the CLI's JSON, a leader's scope, the print pack as a PDF;
# screenshots and the PDF's pages under $(B)/console/.
browser-test: all
	$(Q)$(BROWSER_PYTHON) tests/browser/run.py $(B)
	$(Q)$(BROWSER_PYTHON) tests/browser/console.py $(B)

demo: deps all
	$(Q)sh deploy/demo.sh $(B)

# The central and three devices on separate hosts (network namespaces),
# one on a 2G link cut mid-sync; as root, not part of `make test'.
demo-net: deps all $(B)/chaosproxy
	$(Q)sh deploy/demo-net.sh $(B)

# The README's commands on a bare Debian 12 root (tests/bare/run.sh; root).
test-bare:
	$(Q)sh tests/bare/run.sh

# The C sources, from the tree itself: a tarball without git has them too.
FORMAT_DIRS := proto common client daemon tests bench
FORMAT_FILES = $(sort $(shell find $(FORMAT_DIRS) -type f \
	\( -name '*.c' -o -name '*.h' \) 2>/dev/null))
format:
	$(Q)test -n "$(FORMAT_FILES)" || \
		{ echo "format: no C sources under $(FORMAT_DIRS)"; exit 1; }
	$(Q)clang-format -i $(FORMAT_FILES) </dev/null

check-format:
	$(Q)if ! command -v clang-format >/dev/null 2>&1; then \
		echo "clang-format not found: format check skipped"; \
	elif [ -z "$(FORMAT_FILES)" ]; then \
		echo "check-format: no C sources under $(FORMAT_DIRS)"; \
		exit 1; \
	else clang-format --dry-run --Werror $(FORMAT_FILES) </dev/null && \
		echo "check-format: $(words $(FORMAT_FILES)) files clean"; fi

install: all install-mo
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PREFIX)/lib \
		$(DESTDIR)$(PREFIX)/include/coso
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(PROTO_LIB) $(COMMON_LIB) $(CLIENT_LIB) \
		$(DESTDIR)$(PREFIX)/lib/
	install -m 0644 proto/include/coso/proto.h \
		common/include/coso/common.h client/include/coso/client.h \
		$(DESTDIR)$(PREFIX)/include/coso/

clean:
	rm -rf $(B)

.SECONDARY:

# The Debian packages, in $(B)/deb/ (deploy/deb.sh), after the packages
# of `deploy/install-deps.sh --deb' (debhelper, lintian ...).
deb:
	$(Q)sh deploy/install-deps.sh --deb --check-or-install
	$(Q)sh deploy/deb.sh $(B)

# The built packages installed on a bare Debian 12 root, the central and
# a device run from them (tests/debs/run.sh; root).  Not in `make test'.
test-debs:
	$(Q)sh tests/debs/run.sh $(B)

# (build/bare and build/debs hold whole Debian roots, build/deb a copy of
# the tree: not searched.)
-include $(shell find $(B) \( -path $(B)/bare -o -path $(B)/debs -o \
	-path $(B)/deb \) -prune -o -type f -name '*.d' -print 2>/dev/null)

# ---- fault injection (tests/fault/) -----------------------------------------
# `make fault-quick`: every scenario, bounded (about 2 minutes, in `make
# test`); `make torture`: every scenario at full size (about 15 minutes).
FAULT_TOOLS := $(B)/chaosproxy $(B)/hostile

$(B)/chaosproxy: tests/fault/chaosproxy.c
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -MF $(B)/chaosproxy.d -o $@ $<

$(B)/hostile: tests/fault/hostile.c
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -MF $(B)/hostile.d -o $@ $<

.PHONY: torture fault-quick
torture: all $(FAULT_TOOLS)
	$(Q)bash tests/fault/run.sh $(B) full

fault-quick: all $(FAULT_TOOLS)
	$(Q)bash tests/fault/run.sh $(B) quick
