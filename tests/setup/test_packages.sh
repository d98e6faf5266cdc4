#!/usr/bin/env bash
# Every package the build and the tests use comes from what ./flashsale installs:
#   test_packages.sh SOURCE_DIR                      (CTest: setup_packages, label setup)
# 1. configures the project (tests and console on) in a temporary folder, reads every
#    <Package>_DIR that CMake found, the pkg-config modules, the compiler, generator and
#    launcher, and maps each file to the Debian package that owns it (dpkg -S);
# 2. does the same for every program the tests and the bench start (PostgreSQL's initdb,
#    pg_ctl, postgres and pgbench, nginx, wrk, curl, dpkg-deb, ...);
# 3. fails unless each owner is in `./flashsale packages`, in what those depend on
#    (apt-cache depends --recurse --no-recommends), or in Debian's required base;
# 4. proves the check can fail: each listed package is left out in turn, and the check
#    must then report what would be missing (unless another listed package brings it in
#    anyway, which it says).
# A package installed by hand keeps CI green on one machine and breaks a newcomer's first
# command (it happened: libqt6opengl6-dev). FLASHSALE_PACKAGES="a b c" checks another list.
set -euo pipefail

SRC="$(cd "${1:?usage: $0 SOURCE_DIR}" && pwd)"
TMP="$(mktemp -d /tmp/flashsale-setup.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

read -r -a LIST <<<"${FLASHSALE_PACKAGES:-$("$SRC/flashsale" packages | tr '\n' ' ')}"
((${#LIST[@]} > 0)) || fail "./flashsale packages printed no package"
echo "== ./flashsale installs ${#LIST[@]} packages: ${LIST[*]}"

# The suite runs after ./flashsale installed the list, so nothing may look missing now; asked
# twenty times, because a check that races (a dpkg-query pipeline killed by SIGPIPE under
# pipefail once made a NodeSource npm look missing in 37 of 50 runs) fails only sometimes.
if [[ -z ${FLASHSALE_PACKAGES:-} ]]; then
  for i in $(seq 1 20); do
    still=$("$SRC/flashsale" packages --missing | tr '\n' ' ')
    [[ -z $still ]] || fail "./flashsale packages --missing names installed packages (try $i of 20): $still"
  done
  echo "   ./flashsale sees every listed package as installed (20 of 20 checks)"
fi

# owner FILE: the Debian package that installed FILE (usr-merge aware), or nothing.
owner() {
  local f="$1" alt
  local out
  out=$(dpkg -S "$f" 2>/dev/null | head -n1) || true
  if [[ -z $out ]]; then
    case "$f" in
      /usr/bin/* | /usr/sbin/* | /usr/lib/*) alt="${f#/usr}" ;;
      /bin/* | /sbin/* | /lib/*) alt="/usr$f" ;;
      *) alt="" ;;
    esac
    [[ -n $alt ]] && out=$(dpkg -S "$alt" 2>/dev/null | head -n1) || true
  fi
  [[ -n $out ]] || return 0
  # "pkg1, pkg2:amd64: /path" -> "pkg1 pkg2"
  sed 's/: \/.*//; s/:[a-z0-9]*//g; s/,/ /g' <<<"$out"
}

declare -A NEEDED=() # "what" -> owners (any one of them is enough)
need_file() {        # what file
  local f="$2" real o
  [[ -e $f ]] || fail "$1: $f does not exist"
  real=$(readlink -f "$f")
  o=$(owner "$f")
  [[ -n $o ]] || o=$(owner "$real")
  [[ -n $o ]] || fail "$1 ($f) belongs to no Debian package: installed by hand?"
  NEEDED["$1"]="$o"
}

echo "== 1. configure in $TMP/build"
cmake -S "$SRC" -B "$TMP/build" -G Ninja -DFLASHSALE_TESTS=ON -DFLASHSALE_GUI=ON >"$TMP/configure.log" 2>&1 \
  || { tail -n 30 "$TMP/configure.log"; fail "configure failed (log above)"; }
CACHE="$TMP/build/CMakeCache.txt"
packages=0
while IFS= read -r d; do
  name=$(basename "$d")
  f="$d/${name}Config.cmake"
  [[ -f $f ]] || f="$d/$(tr '[:upper:]' '[:lower:]' <<<"$name")-config.cmake"
  [[ -f $f ]] || continue
  need_file "CMake package $name" "$f"
  packages=$((packages + 1))
done < <(grep -E '^[A-Za-z0-9_]+_DIR:PATH=/' "$CACHE" | cut -d= -f2 | sort -u)
((packages >= 10)) || fail "only $packages CMake packages found in $CACHE: is the cache format new?"
echo "   $packages CMake packages"
# Libraries found through pkg-config (pkg_check_modules leaves pkgcfg_lib_<PREFIX>_<lib>).
while IFS='=' read -r key lib; do
  need_file "pkg-config library ${key#pkgcfg_lib_}" "$lib"
done < <(grep -E '^pkgcfg_lib_[A-Za-z0-9_]+:FILEPATH=/' "$CACHE" | sed 's/:FILEPATH=/=/' | sort -u)
# Qt plugins the server and the tests load at run time: the SQL drivers, and the offscreen
# platform the GUI tests run on.
qt_plugins=$(dirname "$(find /usr/lib -path '*/qt6/plugins/platforms' -type d 2>/dev/null | head -n1)")
[[ -d $qt_plugins/sqldrivers ]] || fail "Qt 6's plugin folder not found"
for plugin in sqldrivers/libqsqlite.so sqldrivers/libqsqlpsql.so platforms/libqoffscreen.so; do
  need_file "Qt plugin $plugin" "$qt_plugins/$plugin"
done
for var in CMAKE_CXX_COMPILER CMAKE_MAKE_PROGRAM CCACHE_PROGRAM; do
  value=$(grep -E "^$var:[A-Z]+=" "$CACHE" | head -n1 | cut -d= -f2-)
  [[ -n $value && $value != *NOTFOUND ]] && need_file "$var" "$value"
done

echo "== 2. programs the tests and the bench start"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
[[ -n $pg_bin ]] || fail "no PostgreSQL server under /usr/lib/postgresql"
for p in initdb pg_ctl postgres pgbench; do need_file "PostgreSQL's $p" "$pg_bin/$p"; done
for p in cmake ctest cpack pkg-config curl nginx wrk dpkg-deb dpkg-shlibdeps setpriv timeout file; do
  path=$(command -v "$p" || PATH="$PATH:/usr/sbin:/sbin" command -v "$p" || true)
  [[ -n $path ]] || fail "program $p not found"
  need_file "program $p" "$path"
done
# Debian's Python, which the packaging test prefers (a pyenv or venv python3 may come first on PATH).
need_file "program python3" /usr/bin/python3
yaml=$(/usr/bin/python3 -c 'import yaml, sys; sys.stdout.write(yaml.__file__)' 2>/dev/null) || fail "python3 cannot import yaml"
need_file "python3 module yaml" "$yaml"
jsonschema=$(/usr/bin/python3 -c 'import jsonschema, sys; sys.stdout.write(jsonschema.__file__)' 2>/dev/null) || fail "python3 cannot import jsonschema"
need_file "python3 module jsonschema" "$jsonschema"
# Programs the browser tests add, once they are there.
for p in chromium node npm; do
  if grep -rqs --include=CMakeLists.txt -w "$p" "$SRC/tests"; then
    path=$(command -v "$p" || true)
    [[ -n $path ]] || fail "program $p (used by a test) not found"
    need_file "program $p" "$path"
  fi
done

# The fuzz tests' compiler and its runtimes (libFuzzer, ASan, UBSan), once there are fuzz tests.
if [[ -f $SRC/tests/fuzz/CMakeLists.txt ]]; then
  clang=$(command -v clang++-14 || true)
  [[ -n $clang ]] || fail "program clang++-14 (the fuzz tests' compiler) not found"
  need_file "program clang++-14" "$clang"
  runtimes=$("$clang" --print-runtime-dir)
  for lib in libclang_rt.fuzzer-x86_64.a libclang_rt.asan-x86_64.a libclang_rt.ubsan_standalone-x86_64.a; do
    need_file "clang runtime $lib" "$runtimes/$lib"
  done
fi

# closure PACKAGE...: the packages and what they depend on, recursively (no recommends).
closure() {
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
    --no-enhances "$@" 2>/dev/null | grep -v '^ ' | sed 's/:amd64$//; s/^<//; s/>$//' | sort -u
}
# Debian's required base: what even a minbase root has (mmdebstrap --variant=minbase).
BASE=$(dpkg-query -W -f='${Package} ${Essential} ${Priority}\n' | awk '$2 == "yes" || $3 == "required" { print $1 }' | sort -u)

# missing CLOSURE: the needed things none of whose owners is in CLOSURE or the base.
missing() {
  local have="$1" what o found
  for what in "${!NEEDED[@]}"; do
    found=0
    for o in ${NEEDED[$what]}; do
      if grep -qxF "$o" <<<"$have" || grep -qxF "$o" <<<"$BASE"; then found=1; break; fi
    done
    ((found)) || echo "$what: ${NEEDED[$what]}"
  done | sort
}

echo "== 3. ${#NEEDED[@]} things needed; each owner must be in the list, what it depends on, or the base"
ALL=$(closure "${LIST[@]}")
[[ $(wc -l <<<"$ALL") -gt ${#LIST[@]} ]] || fail "apt-cache depends found no dependencies: run apt-get update"
gaps=$(missing "$ALL")
if [[ -n $gaps ]]; then
  echo "$gaps" | sed 's/^/   MISSING /'
  fail "./flashsale does not install what the build or the tests use (above): add the package to its PACKAGES list"
fi
for what in "${!NEEDED[@]}"; do printf '   ok: %-36s %s\n' "$what" "${NEEDED[$what]}"; done | sort

echo "== 4. the check fails when a needed package is left out"
caught=0
for p in "${LIST[@]}"; do
  rest=()
  for q in "${LIST[@]}"; do [[ $q == "$p" ]] || rest+=("$q"); done
  gaps=$(missing "$(closure "${rest[@]}")")
  if [[ -n $gaps ]]; then
    caught=$((caught + 1))
    printf '   without %-22s -> fails: %s\n' "$p" "$(head -n1 <<<"$gaps")"
  else
    printf '   without %-22s -> still complete (another listed package depends on it)\n' "$p"
  fi
done
((caught > 0)) || fail "leaving out a needed package never failed the check: the check proves nothing"
echo "setup_packages: the package list is complete (${#NEEDED[@]} needs, $caught listed packages each indispensable)"
