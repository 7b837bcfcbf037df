#!/bin/sh
# deps.sh — installs the Debian packages leadstore needs, only those missing.
# Used by `make run` and `make test`; runs `apt-get update` first when it
# has anything to install, since a fresh machine's package lists may be stale.
set -eu
PKGS="build-essential pkg-config perl libsqlite3-dev sqlite3 libjansson-dev uuid-dev libssl-dev libpq-dev libmicrohttpd-dev libcurl4-openssl-dev libcsv-dev"
missing=""
for p in $PKGS "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Debian's nodejs comes without npm (a separate package); a Node.js from
# elsewhere (NodeSource's, say) brings its own npm and conflicts with Debian's
case " $* " in
  *" nodejs "*) command -v npm >/dev/null 2>&1 ||
    dpkg-query -W -f='${Status}' npm 2>/dev/null | grep -q "install ok installed" || missing="$missing npm" ;;
esac
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "leadstore: installing Debian packages:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
