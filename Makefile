# leadstore — a plain GNU Makefile.
#
#   make            build the library and the `leadstore` command into build/
#   make run        install what is missing, build, walk a demo campaign, then
#                   serve it over HTTP (Ctrl-C stops the server)
#   make demo       the walk alone
#   make test       install what is missing, build, and run the whole suite
#                   (also under AddressSanitizer + UndefinedBehaviorSanitizer)
#   make asan       only the sanitizer build and its suite
#   make bench      benchmarks of every operation
#   make fuzz       the libFuzzer harnesses of fuzz/, FUZZ_SECONDS (600) each
#                   (clang, into build-fuzz/; docs/reliability.md)
#   make fuzz-corpus  regenerate fuzz/leadstore.dict and the seeds fuzz/corpus/
#   make docs       regenerate docs/operations.md and the generated PostgreSQL
#                   migrations (sql/postgres/0002_rules.sql, 0003_operations.sql)
#   make install    PREFIX=/usr/local DESTDIR=

BUILD   ?= build
PREFIX  ?= /usr/local
CC      ?= cc
SAN     ?=
PKGS    := sqlite3 jansson uuid libcrypto libpq libcurl

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

ifeq ($(FUZZ),1)
# the fuzzing build (build-fuzz/): clang, every object instrumented for libFuzzer
CC       := clang-14
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      := -O1 -g
WARN_CC  := -Wno-unknown-warning-option
else ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      := -O1 -g
else
SANFLAGS :=
OPT      ?= -O2 -g
endif

CFLAGS  ?=
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat-truncation=2 $(WARN_CC) $(OPT) $(SANFLAGS) \
           -fvisibility=hidden -fPIC -Iinclude -Isrc -I$(BUILD)/gen $(PKG_CFLAGS)
LDLIBS  := $(PKG_LIBS) -lpthread -lm
LDFLAGS += $(SANFLAGS)

LIB_SRC := $(wildcard src/*.c) $(wildcard src/sqlite/*.c) $(wildcard src/pg/*.c) $(wildcard src/http/*.c)
LIB_SRC := $(filter-out src/main.c src/cli.c src/gen_sql.c,$(LIB_SRC))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
# The `leadstore` command: the CLI and the HTTP server (src/server/), front ends
# over the public API; libmicrohttpd is theirs, not the library's.
SERVER_SRC := $(wildcard src/server/*.c)
CLI_OBJ := $(BUILD)/src/main.o $(BUILD)/src/cli.o $(BUILD)/src/gen_sql.o $(SERVER_SRC:%.c=$(BUILD)/%.o)
CLI_LIBS := $(shell pkg-config --libs libmicrohttpd 2>/dev/null)
# tests may drive the server over HTTP with libcurl
TEST_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null)
GEN     := $(BUILD)/gen/sqlite_queries.h $(BUILD)/gen/sqlite_schema.h $(BUILD)/gen/pg_migrations.h
PG_SQL  := $(sort $(wildcard sql/postgres/[0-9]*.sql))
TESTS   := $(patsubst tests/%.c,$(BUILD)/t/%.t,$(wildcard tests/t_*.c))
TEST_SUPPORT := $(BUILD)/tests/support.o

.PHONY: all run demo test asan check-tests bench docs install clean deps tests fuzz fuzzers fuzz-corpus
all: $(BUILD)/leadstore $(BUILD)/libleadstore.a $(BUILD)/libleadstore.so

deps:
	@sh tools/deps.sh

# the tests also run a throwaway PostgreSQL server with pgTAP
TEST_DEPS := postgresql-15 postgresql-15-pgtap postgresql-15-plpgsql-check clang-14 libclang-rt-14-dev libtap-parser-sourcehandler-pgtap-perl prometheus wrk curl python3 nodejs

$(BUILD)/gen/sqlite_queries.h: sql/sqlite/queries.sql tools/sql2c.awk
	@mkdir -p $(@D)
	awk -v mode=queries -f tools/sql2c.awk $< > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/sqlite_schema.h: sql/sqlite/schema.sql tools/sql2c.awk
	@mkdir -p $(@D)
	awk -v mode=blob -v var=ls__sqlite_schema_sql -f tools/sql2c.awk $< > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/pg_migrations.h: $(PG_SQL) tools/pgmigrations.sh tools/sql2c.awk
	@mkdir -p $(@D)
	sh tools/pgmigrations.sh $@ $(PG_SQL)

$(BUILD)/%.o: %.c $(GEN) include/leadstore.h src/internal.h src/strbuf.h src/ops.def src/sqlite/sq.h src/cli.h src/server/server.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libleadstore.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/libleadstore.so: $(LIB_OBJ)
	$(CC) -shared $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/leadstore: $(CLI_OBJ) $(BUILD)/libleadstore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CLI_LIBS) $(LDLIBS)

$(BUILD)/t/%.t: tests/%.c $(TEST_SUPPORT) $(BUILD)/libleadstore.a tests/tap.h tests/support.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(TEST_SUPPORT) $(BUILD)/libleadstore.a $(LDFLAGS) $(TEST_LIBS) $(LDLIBS)

$(BUILD)/tests/support.o: tests/support.c tests/support.h tests/tap.h include/leadstore.h $(GEN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests -c $< -o $@

tests: all $(TESTS) $(BUILD)/fuzz-dict

# The fuzzing harnesses (fuzz/*.c), in build-fuzz/ (FUZZ=1: clang, libFuzzer,
# ASan, UBSan).  fuzz/http.c drives the server's request handler, so it links
# the server's files (not serve.c: the harness is its own main).
FUZZ_HARNESSES := call token http
FUZZ_SECONDS ?= 600
FUZZ_SERVER_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(filter-out src/server/serve.c,$(SERVER_SRC)))

$(BUILD)/fuzz/http: fuzz/http.c $(FUZZ_SERVER_OBJ) $(BUILD)/libleadstore.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_SERVER_OBJ) $(BUILD)/libleadstore.a $(LDFLAGS) $(CLI_LIBS) $(LDLIBS)

$(BUILD)/fuzz/%: fuzz/%.c $(BUILD)/libleadstore.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libleadstore.a $(LDFLAGS) $(LDLIBS)

# fuzz/leadstore.dict (from the operations table) and the seed corpus
# fuzz/corpus/ (from the conformance cases): both committed.
$(BUILD)/fuzz-dict: fuzz/dict.c $(BUILD)/libleadstore.a
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libleadstore.a $(LDFLAGS) $(LDLIBS)

fuzz-corpus: $(BUILD)/fuzz-dict
	$(BUILD)/fuzz-dict > fuzz/leadstore.dict
	python3 fuzz/seeds.py tests/cases src/ops.def fuzz/corpus

fuzzers:
	@$(MAKE) --no-print-directory BUILD=build-fuzz FUZZ=1 $(FUZZ_HARNESSES:%=build-fuzz/fuzz/%)

# A long run of every harness: FUZZ_SECONDS each, new inputs kept in
# build-fuzz/corpus/<harness>/ (the committed seeds in fuzz/corpus/ are read).
fuzz:
	@sh tools/deps.sh clang-14 libclang-rt-14-dev
	@$(MAKE) --no-print-directory fuzzers
	@sh fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

# The whole suite: the normal build, the sanitizer build and the fuzzing
# build (a bounded run of each harness, tests/t_fuzz.sh), one TAP run.
test:
	@sh tools/deps.sh $(TEST_DEPS)
	@$(MAKE) --no-print-directory tests
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 tests
	@$(MAKE) --no-print-directory fuzzers
	@sh tests/run.sh build build-asan

asan:
	@sh tools/deps.sh $(TEST_DEPS)
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 tests
	@$(MAKE) --no-print-directory fuzzers
	@sh tests/run.sh build-asan

run: demo
	@sh examples/serve.sh $(BUILD)/leadstore

demo: deps
	@$(MAKE) --no-print-directory all
	@sh examples/demo.sh $(BUILD)/leadstore

bench:
	@sh tools/deps.sh $(TEST_DEPS)
	@$(MAKE) --no-print-directory all $(BUILD)/bench
	@sh tests/pg.sh start
	@$(BUILD)/bench $(BUILD) "$$(sh tests/pg.sh server)" && sh bench/http.sh $(BUILD) "$$(sh tests/pg.sh server)"; \
	  status=$$?; sh tests/pg.sh stop; exit $$status

$(BUILD)/bench: bench/bench.c $(BUILD)/libleadstore.a
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libleadstore.a $(LDFLAGS) $(LDLIBS)

docs: all
	@$(BUILD)/leadstore docs > docs/operations.md
	@$(BUILD)/leadstore docs rules > sql/postgres/0002_rules.sql
	@$(BUILD)/leadstore docs sql > sql/postgres/0003_operations.sql

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
	install -m 755 $(BUILD)/leadstore $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libleadstore.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/leadstore.h $(DESTDIR)$(PREFIX)/include/

clean:
	rm -rf build build-asan build-fuzz
