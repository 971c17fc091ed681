# coso — GNU Makefile.  `make V=1` shows the commands.
# Targets: all test demo fuzz bench format check-format install clean.

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
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(CFLAGS) \
	-Iproto/include -Iclient/include $(PKG_CFLAGS) -MMD -MP
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
# libxlsxwriter: the central's XLSX reports (daemon/central/report_out.c).
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

CLIENT_LIB_SRCS := $(sort $(wildcard client/lib/*.c))
CLIENT_LIB_OBJS := $(CLIENT_LIB_SRCS:%.c=$(B)/%.o)
CLIENT_LIB := $(B)/libcoso_client.a
CLIENT_SAN_LIB := $(B)/san/libcoso_client.a
CLI_SRCS := $(sort $(wildcard client/cli/*.c))
CLI_OBJS := $(CLI_SRCS:%.c=$(B)/%.o)
AUDIT_SRCS := $(sort $(wildcard client/audit/*.c))
AUDIT_OBJS := $(AUDIT_SRCS:%.c=$(B)/%.o)
DAEMON_SRCS := $(sort $(wildcard daemon/*.c daemon/*/*.c))
DAEMON_OBJS := $(DAEMON_SRCS:%.c=$(B)/%.o)
PROGRAMS := $(B)/coso $(if $(AUDIT_SRCS),$(B)/coso-audit) \
	$(if $(DAEMON_SRCS),$(B)/cosod)
TEST_TOOLS := $(B)/mkcs $(B)/kill_writes $(B)/wirepush $(B)/mkxlsx

.DEFAULT_GOAL := all
include po/po.mk

.PHONY: all test unit unit-san fuzz fuzz-quick fuzz-build demo bench \
	format check-format install clean deps print-libs check-deps test-bare \
	browser-test
all: $(PROTO_LIB) $(PROGRAMS) $(TEST_TOOLS) $(MO_FILES)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/san/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC-SAN  $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(PROTO_LIB): $(PROTO_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(PROTO_SAN_LIB): $(PROTO_SAN_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/tests/%: $(B)/tests/unit/%.o $(CLIENT_LIB) $(PROTO_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(CLIENT_LIB) $(PROTO_LIB) \
		$(CMOCKA_LIBS) $(LIBS)

$(CLIENT_SAN_LIB): $(CLIENT_LIB_SRCS:%.c=$(B)/san/%.o)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/san/tests/%: $(B)/san/tests/unit/%.o $(CLIENT_SAN_LIB) $(PROTO_SAN_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(CLIENT_SAN_LIB) \
		$(PROTO_SAN_LIB) $(CMOCKA_LIBS) $(LIBS)

$(CLIENT_LIB): $(CLIENT_LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/coso: $(CLI_OBJS) $(CLIENT_LIB) $(PROTO_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $(CLI_OBJS) $(CLIENT_LIB) $(PROTO_LIB) $(LIBS) \
		$(QR_LIBS)

$(B)/coso-audit: $(AUDIT_OBJS) $(B)/client/cli/i18n.o $(CLIENT_LIB) \
		$(PROTO_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $(AUDIT_OBJS) $(B)/client/cli/i18n.o \
		$(CLIENT_LIB) $(PROTO_LIB) \
		$(CURL_LIBS) $(LIBS)

# The cadre's app's pages (web/app/), embedded in cosod: nothing of them
# is read from disk or a network when it runs (daemon/app/embed.sh).
APP_ASSETS := $(sort $(shell find web/app -type f 2>/dev/null))
$(B)/gen/app_assets.c: daemon/app/embed.sh $(APP_ASSETS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  EMBED   $@")
	$(Q)sh daemon/app/embed.sh web/app >$@.tmp && mv $@.tmp $@

$(B)/gen/app_assets.o: $(B)/gen/app_assets.c daemon/app/assets.h
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The app draws an enrollment token's QR code as `coso admin token --png'
# does (client/cli/qr.c).
$(B)/cosod: $(DAEMON_OBJS) $(B)/gen/app_assets.o $(B)/client/cli/i18n.o \
		$(B)/client/cli/qr.o $(CLIENT_LIB) $(PROTO_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $(DAEMON_OBJS) $(B)/gen/app_assets.o \
		$(B)/client/cli/i18n.o $(B)/client/cli/qr.o $(CLIENT_LIB) \
		$(PROTO_LIB) $(LIBS) $(XLSX_LIBS) $(QR_LIBS)

$(B)/mkcs: tests/tools/mkcs.c client/cli/util.c $(CLIENT_LIB) $(PROTO_LIB)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $(B)/mkcs.d -o $@ $< client/cli/util.c \
		$(CLIENT_LIB) $(PROTO_LIB) $(LIBS)

# Workbooks for the .xlsx import tests, written as the central writes.
$(B)/mkxlsx: tests/tools/mkxlsx.c
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $(B)/mkxlsx.d -o $@ $< $(XLSX_LIBS)

# Fuzz targets: clang with libFuzzer, proto compiled in with the same flags.
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined
$(B)/fuzz/fuzz_csv: tests/fuzz/fuzz_csv.c client/lib/csv.c client/lib/csv.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) -std=c11 -Iproto/include -Iclient/include \
		$(FUZZ_FLAGS) -o $@ $< client/lib/csv.c

$(B)/fuzz/fuzz_xlsx: tests/fuzz/fuzz_xlsx.c client/lib/xlsx.c \
		client/lib/xlsx.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -Iproto/include \
		-Iclient/include $(FUZZ_FLAGS) -o $@ $< client/lib/xlsx.c \
		$(ZLIB_LIBS)

$(B)/fuzz/%: tests/fuzz/%.c $(PROTO_SRCS) proto/include/coso/proto.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -Iproto/include \
		$(FUZZ_FLAGS) -o $@ $< $(PROTO_SRCS) $(LIBS)

$(B)/bench_client: bench/bench_client.c bench/bench_common.h $(CLIENT_LIB) \
		$(PROTO_LIB)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $(B)/bench_client.d -o $@ $< \
		$(CLIENT_LIB) $(PROTO_LIB) $(LIBS)

$(B)/wirepush: tests/tools/wirepush.c $(CLIENT_LIB) $(PROTO_LIB)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $(B)/wirepush.d -o $@ $< $(CLIENT_LIB) \
		$(PROTO_LIB) $(LIBS)

$(B)/kill_writes: tests/crash/kill_writes.c
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $(B)/kill_writes.d -o $@ $< $(LIBS)

$(B)/bench_app: bench/bench_app.c bench/bench_common.h $(CLIENT_LIB) \
		$(PROTO_LIB)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $(B)/bench_app.d -o $@ $< \
		$(CLIENT_LIB) $(PROTO_LIB) $(LIBS)

$(B)/bench_sync: bench/bench_sync.c bench/bench_common.h $(CLIENT_LIB) \
		$(PROTO_LIB)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $(B)/bench_sync.d -o $@ $< \
		$(CLIENT_LIB) $(PROTO_LIB) $(LIBS)

BENCH_FRAGMENTS := $(B)/bench-client.json $(B)/bench-sync.json \
	$(B)/bench-audit.json $(B)/bench-report.json $(B)/bench-app.json
# Entries in the audit benchmark's log (its database is built once and
# kept under $(B)/bench-audit-N).
BENCH_AUDIT_N ?= 1000000

bench: deps all $(B)/bench_client $(B)/bench_sync $(B)/bench_audit \
		$(B)/bench_report $(B)/bench_app
	$(Q)$(B)/bench_client $(B)/coso $(B)/bench-client.json
	$(Q)$(B)/bench_sync $(B) $(B)/bench-sync.json
	$(Q)$(B)/bench_audit $(B) $(B)/bench-audit.json $(BENCH_AUDIT_N)
	$(Q)$(B)/bench_report $(B) $(B)/bench-report.json
	$(Q)$(B)/bench_app $(B) $(B)/bench-app.json
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
	$(Q)$(B)/kill_writes $(B)/coso 400 $$(date +%s)
	$(Q)bash tests/e2e/test_sync.sh $(B)
	$(Q)bash tests/e2e/test_http.sh $(B)
	$(Q)bash tests/e2e/test_audit.sh $(B)
	$(Q)bash tests/e2e/test_leader.sh $(B)
	$(Q)bash tests/e2e/test_flows.sh $(B)
	$(Q)bash tests/e2e/test_clock.sh $(B)
	$(Q)bash tests/e2e/test_restore.sh $(B)
	$(Q)bash tests/e2e/test_cadre.sh $(B)
	$(Q)bash tests/e2e/test_app.sh $(B)
	$(Q)$(MAKE) --no-print-directory browser-test
	$(Q)$(MAKE) --no-print-directory fault-quick

# The cadre's app in headless Chromium, phone and laptop sizes, against
# the real programs; screenshots of every screen under $(B)/browser/.
# Debian's python3 (its python3-selenium), not another one first in PATH.
BROWSER_PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 \
	|| echo python3)
browser-test: all
	$(Q)$(BROWSER_PYTHON) tests/browser/run.py $(B)

demo: deps all
	$(Q)sh deploy/demo.sh $(B)

# The README's commands on a bare Debian 12 root (tests/bare/run.sh; root).
test-bare:
	$(Q)sh tests/bare/run.sh

# The C sources, from the tree itself: a tarball without git has them too.
FORMAT_DIRS := proto client daemon tests bench
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
	install -m 0644 $(PROTO_LIB) $(CLIENT_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 0644 proto/include/coso/proto.h \
		client/include/coso/client.h $(DESTDIR)$(PREFIX)/include/coso/

clean:
	rm -rf $(B)

.SECONDARY:

# (build/bare holds a whole Debian root: not searched.)
-include $(shell find $(B) -path $(B)/bare -prune -o -type f -name '*.d' -print 2>/dev/null)

# ---- daemon unit tests ------------------------------------------------------
# Tests of the central's modules link its objects, not cosod's main or the
# field agent; they replace the generic test rules above for these targets.
DAEMON_TEST_OBJS := $(filter $(B)/daemon/central/%,$(DAEMON_OBJS))
DAEMON_TEST_SAN_OBJS := $(DAEMON_TEST_OBJS:$(B)/%=$(B)/san/%)

$(B)/tests/test_merge: $(B)/tests/unit/test_merge.o $(DAEMON_TEST_OBJS) \
		$(CLIENT_LIB) $(PROTO_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(DAEMON_TEST_OBJS) $(CLIENT_LIB) \
		$(PROTO_LIB) $(CMOCKA_LIBS) $(LIBS) \
		$(XLSX_LIBS)

$(B)/san/tests/test_merge: $(B)/san/tests/unit/test_merge.o \
		$(DAEMON_TEST_SAN_OBJS) $(CLIENT_SAN_LIB) $(PROTO_SAN_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(DAEMON_TEST_SAN_OBJS) \
		$(CLIENT_SAN_LIB) $(PROTO_SAN_LIB) $(CMOCKA_LIBS) $(LIBS) \
		$(XLSX_LIBS)

$(B)/tests/test_report: $(B)/tests/unit/test_report.o $(DAEMON_TEST_OBJS) \
		$(CLIENT_LIB) $(PROTO_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(DAEMON_TEST_OBJS) $(CLIENT_LIB) \
		$(PROTO_LIB) $(CMOCKA_LIBS) $(LIBS) \
		$(XLSX_LIBS)

$(B)/san/tests/test_report: $(B)/san/tests/unit/test_report.o \
		$(DAEMON_TEST_SAN_OBJS) $(CLIENT_SAN_LIB) $(PROTO_SAN_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(DAEMON_TEST_SAN_OBJS) \
		$(CLIENT_SAN_LIB) $(PROTO_SAN_LIB) $(CMOCKA_LIBS) $(LIBS) \
		$(XLSX_LIBS)

# The .xlsx reader's test writes its workbooks with libxlsxwriter.
$(B)/tests/test_xlsx: $(B)/tests/unit/test_xlsx.o $(CLIENT_LIB) $(PROTO_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(CLIENT_LIB) $(PROTO_LIB) \
		$(CMOCKA_LIBS) $(LIBS) $(XLSX_LIBS)

$(B)/san/tests/test_xlsx: $(B)/san/tests/unit/test_xlsx.o \
		$(CLIENT_SAN_LIB) $(PROTO_SAN_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(CLIENT_SAN_LIB) \
		$(PROTO_SAN_LIB) $(CMOCKA_LIBS) $(LIBS) $(XLSX_LIBS)

# The HTTP API's query decoder is pure: its test links it alone.
$(B)/tests/test_httpq: $(B)/tests/unit/test_httpq.o \
		$(B)/daemon/central/httpq.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/san/tests/test_httpq: $(B)/san/tests/unit/test_httpq.o \
		$(B)/san/daemon/central/httpq.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(CMOCKA_LIBS)

# The central's small files (its key's mode): files.c with proto alone.
$(B)/tests/test_files: $(B)/tests/unit/test_files.o \
		$(B)/daemon/central/files.o $(PROTO_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LIBS)

$(B)/san/tests/test_files: $(B)/san/tests/unit/test_files.o \
		$(B)/san/daemon/central/files.o $(PROTO_SAN_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LIBS)

# The connection table is pure too; closing sockets by address needs
# nothing but the kernel.
$(B)/tests/test_conns: $(B)/tests/unit/test_conns.o \
		$(B)/daemon/central/conns.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(CMOCKA_LIBS) -lpthread

$(B)/san/tests/test_conns: $(B)/san/tests/unit/test_conns.o \
		$(B)/san/daemon/central/conns.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(CMOCKA_LIBS) -lpthread

$(B)/tests/test_sockfd: $(B)/tests/unit/test_sockfd.o \
		$(B)/daemon/central/sockfd.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/san/tests/test_sockfd: $(B)/san/tests/unit/test_sockfd.o \
		$(B)/san/daemon/central/sockfd.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(CMOCKA_LIBS)

# The cadre's app's guards are pure: guard.c and libsodium.
$(B)/tests/test_appguard: $(B)/tests/unit/test_appguard.o \
		$(B)/daemon/app/guard.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(PKG_LIBS)

$(B)/san/tests/test_appguard: $(B)/san/tests/unit/test_appguard.o \
		$(B)/san/daemon/app/guard.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(CMOCKA_LIBS) $(PKG_LIBS)

# The request head decoder is pure; the HTTP connections need nng only.
$(B)/tests/test_httphead: $(B)/tests/unit/test_httphead.o \
		$(B)/daemon/central/httphead.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/san/tests/test_httphead: $(B)/san/tests/unit/test_httphead.o \
		$(B)/san/daemon/central/httphead.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/tests/test_httpd: $(B)/tests/unit/test_httpd.o \
		$(B)/daemon/central/httpd.o $(B)/daemon/central/httphead.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(NNG_LIBS) -lpthread

$(B)/san/tests/test_httpd: $(B)/san/tests/unit/test_httpd.o \
		$(B)/san/daemon/central/httpd.o \
		$(B)/san/daemon/central/httphead.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(CMOCKA_LIBS) \
		$(NNG_LIBS) -lpthread

$(B)/fuzz/fuzz_httphead: tests/fuzz/fuzz_httphead.c \
		daemon/central/httphead.c daemon/central/httphead.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -Iproto/include \
		$(FUZZ_FLAGS) -o $@ $< daemon/central/httphead.c

$(B)/fuzz/fuzz_httpq: tests/fuzz/fuzz_httpq.c daemon/central/httpq.c \
		daemon/central/httpq.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -Iproto/include \
		$(FUZZ_FLAGS) -o $@ $< daemon/central/httpq.c

$(B)/fuzz/fuzz_api: tests/fuzz/fuzz_api.c client/audit/api.c \
		client/audit/audit.h $(PROTO_SRCS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -Iproto/include \
		$(FUZZ_FLAGS) -o $@ $< client/audit/api.c $(PROTO_SRCS) $(LIBS)

$(B)/bench_audit: bench/bench_audit.c bench/bench_central.h \
		bench/bench_common.h \
		$(DAEMON_TEST_OBJS) $(CLIENT_LIB) $(PROTO_LIB)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $(B)/bench_audit.d -o $@ $< \
		$(DAEMON_TEST_OBJS) $(CLIENT_LIB) $(PROTO_LIB) $(LIBS) $(XLSX_LIBS)

$(B)/bench_report: bench/bench_report.c bench/bench_central.h \
		bench/bench_common.h \
		$(DAEMON_TEST_OBJS) $(CLIENT_LIB) $(PROTO_LIB)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $(B)/bench_report.d -o $@ $< \
		$(DAEMON_TEST_OBJS) $(CLIENT_LIB) $(PROTO_LIB) $(LIBS) $(XLSX_LIBS)

# ---- fault injection (tests/fault/) -----------------------------------------
# `make fault-quick`: every scenario, bounded (about 2 minutes, in `make
# test`); `make torture`: every scenario at full size (about 15 minutes).
FAULT_TOOLS := $(B)/chaosproxy $(B)/hostile

$(B)/chaosproxy: tests/fault/chaosproxy.c
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $(B)/chaosproxy.d -o $@ $<

$(B)/hostile: tests/fault/hostile.c
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $(B)/hostile.d -o $@ $<

.PHONY: torture fault-quick
torture: all $(FAULT_TOOLS)
	$(Q)bash tests/fault/run.sh $(B) full

fault-quick: all $(FAULT_TOOLS)
	$(Q)bash tests/fault/run.sh $(B) quick
