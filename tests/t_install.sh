#!/bin/sh
# t_install.sh — `make install` into a temporary DESTDIR, from the normal
# build ($LEADSTORE_INSTALL_BUILD, default build; already built, so nothing
# is compiled here), and what it installed:
#   - the files, the shared library's soname and links, the version;
#   - the man pages: groff and man render them without a warning; every
#     command and every operation is in them;
#   - the bash completion: it loads, completes commands, options and their
#     values, and operation names after `call` and `help`; its options are
#     those of `leadstore --help`, each accepted by the command;
#   - leadstore.pc: only -lleadstore for the shared library, every private
#     library with --static;
#   - the C example of README.md, extracted from it, built with exactly the
#     command line it shows against the DESTDIR copy, run on SQLite and on
#     PostgreSQL ($LEADSTORE_TEST_PG); and built against the static library;
#   - `make uninstall` leaves nothing behind.
set -u
. tests/lib.sh
# a make of its own, not a part of the make that may have started the suite
unset MAKEFLAGS MFLAGS MAKELEVEL
server=${LEADSTORE_TEST_PG:?LEADSTORE_TEST_PG is not set (make test sets it)}
build=${LEADSTORE_INSTALL_BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
prefix=/usr/local
lib=$root$prefix/lib
version=$(sed -n 's/^#define LEADSTORE_VERSION "\(.*\)"/\1/p' include/leadstore.h)
major=${version%%.*}

make -s --no-print-directory -q BUILD="$build" all
tap $? "the build $build is up to date (make install compiles nothing)"
make -s --no-print-directory BUILD="$build" DESTDIR="$root" PREFIX="$prefix" install >"$tmp/log" 2>&1
tap $? "make install DESTDIR=… PREFIX=$prefix" "$tmp/log"

# --- files, soname, links
: >"$tmp/files"
for f in bin/leadstore lib/libleadstore.so.$version lib/libleadstore.a include/leadstore.h \
  lib/pkgconfig/leadstore.pc share/man/man1/leadstore.1 share/man/man7/leadstore-operations.7 \
  share/bash-completion/completions/leadstore share/leadstore/leadstore.sql; do
  [ -f "$root$prefix/$f" ] && [ ! -L "$root$prefix/$f" ] || echo "missing: $f" >>"$tmp/files"
done
[ -x "$root$prefix/bin/leadstore" ] || echo "not executable: bin/leadstore" >>"$tmp/files"
[ ! -s "$tmp/files" ]
tap $? "it installs the command, both libraries, the header, leadstore.pc, the man pages, the completion, the SQL bundle" "$tmp/files"
[ "$(readlink "$lib/libleadstore.so.$major")" = "libleadstore.so.$version" ] &&
  [ "$(readlink "$lib/libleadstore.so")" = "libleadstore.so.$version" ]
tap $? "libleadstore.so.$major and libleadstore.so link to libleadstore.so.$version"
readelf -d "$lib/libleadstore.so.$version" >"$tmp/dyn" 2>&1
grep -q "(SONAME).*\[libleadstore.so.$major\]" "$tmp/dyn"
tap $? "its soname is libleadstore.so.$major" "$tmp/dyn"
cli=$root$prefix/bin/leadstore
[ "$("$cli" --version)" = "leadstore $version" ]
tap $? "the installed command is version $version (LEADSTORE_VERSION)"
"$cli" docs sql-install | cmp -s - "$root$prefix/share/leadstore/leadstore.sql"
tap $? "the installed SQL bundle is the command's"

# --- man pages
man1=$root$prefix/share/man/man1/leadstore.1
man7=$root$prefix/share/man/man7/leadstore-operations.7
groff -ww -z -man "$man1" "$man7" >"$tmp/groff" 2>&1 && [ ! -s "$tmp/groff" ]
tap $? "groff -ww -z -man: no warning in either page" "$tmp/groff"
MANWIDTH=80 man --warnings -l "$man1" >"$tmp/man1" 2>"$tmp/manerr" &&
  MANWIDTH=80 man --warnings -l "$man7" >"$tmp/man7" 2>>"$tmp/manerr" && [ ! -s "$tmp/manerr" ]
tap $? "man --warnings -l renders both without a warning" "$tmp/manerr"
ops=$("$cli" help | sed -n '/^operations/,$p' | sed -n 's/^  \([a-z_]*\)$/\1/p')
: >"$tmp/miss"
for op in $ops; do grep -q "^   $op\$" "$tmp/man7" || echo "not in leadstore-operations(7): $op" >>"$tmp/miss"; done
for c in $("$cli" help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z]*\) .*/\1/p'); do
  grep -q "^       $c\b" "$tmp/man1" || echo "not in leadstore(1): $c" >>"$tmp/miss"
done
for s in NAME SYNOPSIS COMMANDS OPTIONS ENVIRONMENT 'EXIT STATUS'; do
  grep -q "^$s" "$tmp/man1" || echo "no section $s in leadstore(1)" >>"$tmp/miss"
done
[ -n "$ops" ] && [ ! -s "$tmp/miss" ]
tap $? "leadstore(1) has every command and section, leadstore-operations(7) every operation" "$tmp/miss"

# --- bash completion: complete WORDS... prints what completing the last word offers
comp=$root$prefix/share/bash-completion/completions/leadstore
complete_words() {
  bash --norc --noprofile -c '. "$1"; shift; complete -p leadstore >/dev/null || exit 9
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _leadstore; printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$comp" "$@"
}
expect() { # expect "WANTED" WORDS...: the completion is WANTED (lines joined by spaces)
  _want=$1; shift
  _got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
  [ "$_got" = "$_want" ] || echo "completing '$*': got '$_got', want '$_want'" >>"$tmp/comp"
}
: >"$tmp/comp"
starting() { printf '%s\n' $ops | grep "^$1" | sort | tr '\n' ' ' | sed 's/ $//'; }
[ "$(starting update_ | wc -w)" -ge 4 ] || echo "leadstore help lists no update_ operations" >>"$tmp/comp"
expect "$(starting update_)" leadstore call update_
expect "$(starting get_)" leadstore --db x.db help get_
expect "get_campaign" leadstore --role service_role call get_ca
expect "" leadstore call get_campaign get_
expect "migrate" leadstore mig
expect "--db --durability" leadstore --d
expect "anon authenticated" leadstore --role a
expect "--get" leadstore call get_campaign --g
expect "sql sql-install" leadstore docs sq
[ ! -s "$tmp/comp" ]
tap $? "the bash completion loads and completes commands, options, values, operations after call and help" "$tmp/comp"
: >"$tmp/opts"
[ "$(complete_words leadstore '' | tr '\n' ' ')" = "$(printf '%s\n' $("$cli" help | sed -n '/^commands:/,/^$/p' |
  sed -n 's/^  \([a-z]*\) .*/\1/p') | sort | tr '\n' ' ')" ] || echo "the commands differ from leadstore help" >>"$tmp/opts"
[ "$(complete_words leadstore call '' | tr '\n' ' ')" = "$(printf '%s\n' $ops | sort | tr '\n' ' ')" ] ||
  echo "the operations differ from leadstore help" >>"$tmp/opts"
listed=$("$cli" --help | sed -n '/^global options/,/^$/p' | grep -o -- '^  --[a-z-]*' | sort -u)
[ -n "$listed" ] || echo "leadstore --help lists no global options" >>"$tmp/opts"
offered=$(complete_words leadstore --)
for o in $listed; do
  echo "$offered" | grep -qx -- "$o" || case $o in --get) ;; *) echo "not completed: $o" >>"$tmp/opts" ;; esac
done
for o in $offered; do
  case $o in
  --version | --help) "$cli" "$o" >/dev/null 2>&1 ;;
  --create) "$cli" --create help >/dev/null 2>&1 ;;
  --role) "$cli" --role anon help >/dev/null 2>&1 ;;
  --durability) "$cli" --durability normal help >/dev/null 2>&1 ;;
  --org) "$cli" --org 00000000-0000-4000-8000-000000000001 help >/dev/null 2>&1 ;;
  *) "$cli" "$o" value help >/dev/null 2>&1 ;;
  esac || echo "the command refuses the completed option $o" >>"$tmp/opts"
done
for k in $(complete_words leadstore docs ''); do
  "$cli" docs "$k" >/dev/null 2>&1 || echo "leadstore docs $k (completed) fails" >>"$tmp/opts"
done
"$cli" --no-such-option help >/dev/null 2>&1
[ $? -eq 64 ] || echo "an unknown option is not refused, so the check above proves nothing" >>"$tmp/opts"
[ ! -s "$tmp/opts" ]
tap $? "the completion's commands, operations, options and docs kinds are the command's" "$tmp/opts"

# --- pkg-config against the DESTDIR copy
export PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root"
{ pkg-config --modversion leadstore; pkg-config --cflags --libs leadstore; pkg-config --static --libs leadstore; } >"$tmp/pc" 2>&1
dyn=$(pkg-config --libs leadstore)
static=$(pkg-config --static --libs leadstore)
lacks=""
for l in -lleadstore -lsqlite3 -ljansson -luuid -lcrypto -lpq -lcurl -lpthread -lm; do
  echo " $static " | grep -q -- " $l " || lacks="$lacks $l"
done
echo "--static --libs lacks:$lacks" >>"$tmp/pc"
[ "$(pkg-config --modversion leadstore)" = "$version" ] && [ "$(echo $dyn)" = "-L$lib -lleadstore" ] && [ -z "$lacks" ]
tap $? "pkg-config: version $version; --libs is -L… -lleadstore only; --static --libs adds every private library" "$tmp/pc"

# --- the README's example, with the README's command line
mkdir "$tmp/ex"
awk '/^## Using the library from C/ {on = 1} on && /^```c$/ {c = 1; next} c && /^```$/ {exit} c' README.md >"$tmp/ex/example.c"
line=$(awk '/^## Using the library from C/ {on = 1} on && /^```sh$/ {s = 1; next} s && /^cc / {print; exit}' README.md)
[ -s "$tmp/ex/example.c" ] && [ -n "$line" ]
tap $? "README.md has the C example and its command line: $line"
(cd "$tmp/ex" && sh -c "$line") >"$tmp/cc" 2>&1
tap $? "it compiles against the installed copy with exactly that line" "$tmp/cc"
readelf -d "$tmp/ex/example" >"$tmp/dyn" 2>&1
grep -q 'NEEDED.*\[libleadstore.so.'"$major"'\]' "$tmp/dyn" && ! grep -q 'NEEDED.*libpq' "$tmp/dyn"
tap $? "the program needs libleadstore.so.$major (its soname), and not the library's own dependencies" "$tmp/dyn"
cc -std=c11 -Wall -Wextra -Werror -pedantic -c -o /dev/null "$tmp/ex/example.c" $(pkg-config --cflags leadstore) >"$tmp/cc" 2>&1
tap $? "it compiles without a warning (-std=c11 -Wall -Wextra -Werror -pedantic)" "$tmp/cc"
export LD_LIBRARY_PATH="$lib"
(cd "$tmp/ex" && ldd ./example && ./example "$tmp/ex/leads.db") >"$tmp/run" 2>&1 &&
  grep -q "libleadstore.so.$major => $lib/libleadstore.so.$major" "$tmp/run" &&
  grep -q '"success":true' "$tmp/run" && grep -q '"coverage_count":2' "$tmp/run" &&
  [ "$("$cli" --db "$tmp/ex/leads.db" call list_campaigns '{}' --get total)" = 1 ]
tap $? "it runs with the installed library: opens an SQLite file and creates a campaign" "$tmp/run"
pg_fresh "$cli" "$server" lstest_install >"$tmp/pg" 2>&1 && "$tmp/ex/example" "$PG_DB" >>"$tmp/pg" 2>&1 &&
  grep -q '"success":true' "$tmp/pg" && [ "$("$cli" --db "$PG_DB" call list_campaigns '{}' --get total)" = 1 ]
tap $? "and on PostgreSQL (migrated by the installed command)" "$tmp/pg"
psql -X -q -d "$server dbname=postgres" -c "DROP DATABASE IF EXISTS lstest_install WITH (FORCE)" >/dev/null 2>&1

# --- the static library, with the shared libraries of its dependencies, as
# README.md shows it (a fully static link would need the static archives of
# libpq's own dependencies); without them it does not link.
sline=$(awk '/^## Using the library from C/ {on = 1} on && /^```sh$/ {s = 1; next} s && /^```$/ {s = 0}
  s { if (cont) cmd = cmd " " $0; else if (/^cc / && /libleadstore\.a/) cmd = $0; else next
      cont = sub(/ *\\$/, "", cmd); if (!cont) { print cmd; exit } }' README.md)
sline=$(echo "$sline" | sed "s|/usr/local/lib/libleadstore.a|$lib/libleadstore.a|; s|-o example |-o example_static |")
(cd "$tmp/ex" && echo "$sline" && ! cc -o example_bare example.c $(pkg-config --cflags leadstore) "$lib/libleadstore.a" &&
  sh -c "$sline" && ! readelf -d example_static | grep -q 'NEEDED.*libleadstore' && ./example_static "$tmp/ex/static.db") \
  >"$tmp/static.log" 2>&1 && grep -q '"success":true' "$tmp/static.log"
tap $? "libleadstore.a links with the libraries of Requires.private (and not without them) and runs" "$tmp/static.log"
unset LD_LIBRARY_PATH PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# --- uninstall
make -s --no-print-directory BUILD="$build" DESTDIR="$root" PREFIX="$prefix" uninstall >"$tmp/log" 2>&1 &&
  find "$root" ! -type d >"$tmp/left" && [ ! -s "$tmp/left" ]
tap $? "make uninstall removes every file and link it installed" "$tmp/left"
tap_end
