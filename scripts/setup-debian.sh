#!/usr/bin/env bash
# Installs everything memsnap needs to build, test and demo on Debian 12, with
# apt-get and nothing else.  Run as root (or it uses sudo when present).
#
#   build:  gcc meson ninja-build pkg-config and the -dev packages of
#           libelf, libdw (elfutils), libunwind, sqlite3, xxhash, cmocka;
#           g++ (libstdc++'s -dev, for its demangler; and tests/e2e/cxx_frames, cxx_why)
#   tests:  gdb (gcore), elfutils (eu-readelf, eu-stack), sqlite3 (the shell),
#           binutils (size, nm), util-linux (setpriv, mkswap, fallocate),
#           mount (swapon, swapoff: a swap file for the swapped-page tests), procps, python3,
#           libc6-dbg (glibc's debug symbols, for the with-symbols heap tests),
#           zstd (the compressed-core case of the malformed-core suite),
#           redis-server and redis-tools (tests/e2e/heap_foreign: a process
#           served by jemalloc), libjemalloc-dev (its program linked with
#           -ljemalloc), libtcmalloc-minimal4 (its program run with tcmalloc
#           preloaded), libgoogle-perftools-dev (tests/e2e/heap_tcmalloc: a
#           program linked with -ltcmalloc_minimal), golang-go (tests/e2e/heap_go: a cgo program),
#           perl, sqlite3, memcached (the programs tests/e2e/real_*.sh capture;
#           with python3, gdb and libc6-dbg: glibc's mallinfo2() as the judge),
#           xxhash (xxhsum: the judge of chunks.hash in tests/e2e/reach),
#           strace (tests/e2e/hostile_*.sh, analyze_output.sh: what is opened,
#           a second tracer, signals injected at a chosen system call)
#   fuzz:   clang and libclang-rt-14-dev (libFuzzer and clang's sanitizer
#           runtimes: the build-fuzz of scripts/run-tests, bench/fuzz)
#           chromium and python3-websocket (tests/e2e/html_report: the pages of
#           report --html opened headless, driven over the DevTools protocol;
#           docs/screenshots-regenerate)
#   bench:  time (/usr/bin/time for peak RSS), bc
#   install: git (the revision --version prints), bash-completion (its
#           pkg-config completionsdir; tests/e2e/install.sh), man-db and
#           groff-base (man -l, groff -ww: the man pages render without a
#           warning), bsdextrautils (col), jq (meson introspect's JSON)
set -euo pipefail

packages=(
	gcc g++ libc6-dev meson ninja-build pkg-config
	libelf-dev libdw-dev libunwind-dev libsqlite3-dev libxxhash-dev libcmocka-dev
	gdb elfutils sqlite3 binutils util-linux mount procps python3 libc6-dbg zstd
	redis-server redis-tools libjemalloc-dev libtcmalloc-minimal4 libgoogle-perftools-dev golang-go
	perl memcached xxhash strace chromium python3-websocket
	clang libclang-rt-14-dev
	time bc jq
	git bash-completion man-db groff-base bsdextrautils
)

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "setup-debian: run as root (no sudo here)" >&2; exit 1; }
	SUDO=sudo
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "setup-debian: all ${#packages[@]} packages are installed"
	exit 0
fi

echo "setup-debian: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-debian: done"
