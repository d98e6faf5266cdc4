#!/usr/bin/env bash
# The .deb installs and runs, and the deployment files are valid:
#   test_package.sh BUILD_DIR SOURCE_DIR          (CTest: packaging_deb, label packaging)
#  1. cpack -G DEB from the build tree; the package's fields, control files and contents;
#  2. dpkg --root into a temporary root, maintainer scripts included (no systemctl call);
#  3. the INSTALLED binary, as the account postinst made: /health/live, /health/ready,
#     nginx (installer/nginx) in front of it, SIGTERM -> exit 0 within 20 s;
#  4. dpkg --purge from the same root;
#  5. nginx -t on the wrapper config, systemd-analyze verify on the unit (if present),
#     the Kubernetes YAML and the Dockerfile (static checks: no Docker engine here).
# Loopback only; every wait is bounded; everything lives in one temporary folder.
set -euo pipefail

if (($# != 2)); then
  echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2
  exit 2
fi
BUILD="$(cd "$1" && pwd)"
SRC="$(cd "$2" && pwd)"

step() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  exit 1
}
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 not found (Debian package: $2)"; }

need cpack cmake
need dpkg-deb dpkg
need dpkg-shlibdeps dpkg-dev
need curl curl
need nginx nginx
need setpriv util-linux
need timeout coreutils
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON="$(command -v python3 || true)"
[[ -n $PYTHON ]] && "$PYTHON" -c 'import yaml' 2>/dev/null || fail "python3 with PyYAML not found (Debian package: python3-yaml)"

TMP="$(mktemp -d /tmp/flashsale-packaging.XXXXXX)"
chmod 0755 "$TMP" # the server runs as the package's account, which must reach its files
ROOT="$TMP/root"
SERVER_PID=""
NGINX_PID=""

stop_process() { # pid signal seconds: signal, wait up to seconds, then SIGKILL
  local pid="$1" sig="$2" secs="$3" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  [[ -n $NGINX_PID ]] && stop_process "$NGINX_PID" QUIT 5
  [[ -n $SERVER_PID ]] && stop_process "$SERVER_PID" TERM 5
  if ((rc != 0)); then
    for log in "$TMP/cpack.log" "$TMP/dpkg-install.log" "$TMP/server.out" "$TMP/server.err" \
      "$TMP/nginx/error.log" "$TMP/dpkg-purge.log"; do
      if [[ -s $log ]]; then
        echo "--- last lines of $(basename "$log") ---" >&2
        tail -n 30 "$log" >&2
      fi
    done
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A systemctl that only records: under dpkg --root the maintainer scripts must not call it.
mkdir -p "$TMP/fakebin"
cat >"$TMP/fakebin/systemctl" <<EOF
#!/bin/sh
echo "systemctl \$*" >>"$TMP/systemctl.calls"
exit 0
EOF
chmod 0755 "$TMP/fakebin/systemctl"

# ---------------------------------------------------------------------------------------
step "cpack -G DEB from $BUILD"
[[ -f $BUILD/CPackConfig.cmake ]] || fail "$BUILD/CPackConfig.cmake is missing: installer/packaging.cmake not included?"
VERSION="$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD/CPackConfig.cmake")"
ARCH="$(dpkg --print-architecture)"
[[ -n $VERSION ]] || fail "no CPACK_PACKAGE_VERSION in $BUILD/CPackConfig.cmake"
(cd "$BUILD" && timeout 600 cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$TMP/out") >"$TMP/cpack.log" 2>&1 \
  || fail "cpack -G DEB failed"
DEB="$TMP/out/flashsale_${VERSION}_${ARCH}.deb"
[[ -f $DEB ]] || fail "expected $(basename "$DEB"); cpack made: $(ls "$TMP/out")"
ok "$(basename "$DEB"), $(stat -c %s "$DEB") bytes"

step "dpkg-deb --info"
dpkg-deb --info "$DEB" >"$TMP/info.txt"
field() { dpkg-deb --field "$DEB" "$1"; }
[[ $(field Package) == flashsale ]] || fail "Package is '$(field Package)'"
[[ $(field Version) == "$VERSION" ]] || fail "Version is '$(field Version)'"
[[ $(field Architecture) == "$ARCH" ]] || fail "Architecture is '$(field Architecture)'"
[[ -n $(field Maintainer) ]] || fail "no Maintainer"
[[ $(field Section) == net ]] || fail "Section is '$(field Section)'"
[[ -n $(field Description) ]] || fail "no Description"
[[ -z $(field Homepage) ]] || fail "unexpected Homepage field"
DEPENDS="$(field Depends)"
for dep in libqt6core6 libqt6network6 libqt6websockets6 libsodium23 libc6 libqt6sql6-sqlite libqt6sql6-psql passwd; do
  # libqt6core6 etc. come from dpkg-shlibdeps: their presence proves it ran.
  [[ ", $DEPENDS," == *", $dep"[\ ,]* ]] || fail "Depends lacks $dep: $DEPENDS"
done
ok "Depends: $DEPENDS"
dpkg-deb -e "$DEB" "$TMP/control"
[[ $(cat "$TMP/control/conffiles") == /etc/flashsale/flashsale.ini ]] \
  || fail "conffiles is '$(cat "$TMP/control/conffiles")', expected /etc/flashsale/flashsale.ini"
for script in postinst prerm postrm; do
  [[ -x $TMP/control/$script ]] || fail "control member $script missing or not executable"
  sh -n "$TMP/control/$script" || fail "$script: shell syntax error"
  cmp -s "$TMP/control/$script" "$SRC/installer/debian/$script" || fail "$script differs from installer/debian/$script"
done
ok "conffiles: /etc/flashsale/flashsale.ini; postinst, prerm, postrm executable and valid sh"

step "dpkg-deb --contents"
dpkg-deb --contents "$DEB" >"$TMP/contents.txt"
for path in ./usr/bin/flashsale ./etc/flashsale/flashsale.ini ./lib/systemd/system/flashsale.service; do
  grep -q " $path\$" "$TMP/contents.txt" || fail "$path is not in the package"
done
grep -q '^-rwxr-xr-x root/root .* \./usr/bin/flashsale$' "$TMP/contents.txt" || fail "/usr/bin/flashsale is not 0755 root/root"
if awk '{print $NF}' "$TMP/contents.txt" | grep -v -E '^\./(usr/|usr/bin/|etc/|etc/flashsale/|lib/|lib/systemd/|lib/systemd/system/)?$' \
  | grep -v -E '^\./(usr/bin/flashsale|etc/flashsale/flashsale\.ini|lib/systemd/system/flashsale\.service)$' >"$TMP/unexpected.txt"; then
  fail "unexpected files in the package: $(tr '\n' ' ' <"$TMP/unexpected.txt")"
fi
ok "binary, unit and configuration present, nothing else"

# ---------------------------------------------------------------------------------------
step "dpkg --root: install into $ROOT"
# An empty dpkg database and the account files useradd --prefix edits. The maintainer
# scripts run chrootless (the temporary root has no /bin/sh to chroot into): dpkg sets
# DPKG_ROOT and the scripts prefix every path with it and call no systemctl.
mkdir -p "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates" "$ROOT/var/lib/dpkg/triggers" "$ROOT/etc"
: >"$ROOT/var/lib/dpkg/status"
: >"$ROOT/var/lib/dpkg/available"
echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOT/etc/passwd"
echo 'root:x:0:' >"$ROOT/etc/group"
echo 'root:*:19000:0:99999:7:::' >"$ROOT/etc/shadow"
echo 'root:*::' >"$ROOT/etc/gshadow"
chmod 0640 "$ROOT/etc/shadow" "$ROOT/etc/gshadow"
DPKG=(dpkg "--root=$ROOT" --force-script-chrootless --force-depends --force-not-root --log="$TMP/dpkg.log")
if [[ $(id -u) -ne 0 ]]; then
  need fakeroot fakeroot
  DPKG=(fakeroot "${DPKG[@]}")
fi
PATH="$TMP/fakebin:$PATH" timeout 120 "${DPKG[@]}" -i "$DEB" >"$TMP/dpkg-install.log" 2>&1 || fail "dpkg -i failed"
dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f='${Status}' flashsale | grep -q 'install ok installed' \
  || fail "flashsale is not 'install ok installed' in $ROOT"
[[ -x $ROOT/usr/bin/flashsale ]] || fail "$ROOT/usr/bin/flashsale not installed"
cmp -s "$ROOT/etc/flashsale/flashsale.ini" "$SRC/resources/config/flashsale.ini" || fail "installed ini differs from resources/config/flashsale.ini"
cmp -s "$ROOT/lib/systemd/system/flashsale.service" "$SRC/installer/systemd/flashsale.service" || fail "installed unit differs"
ACCOUNT="$(grep '^flashsale:' "$ROOT/etc/passwd" || true)"
[[ -n $ACCOUNT ]] || fail "postinst made no flashsale account in $ROOT/etc/passwd"
IFS=: read -r _ _ SVC_UID SVC_GID _ SVC_HOME SVC_SHELL <<<"$ACCOUNT"
((SVC_UID > 0 && SVC_UID < 1000)) || fail "flashsale uid $SVC_UID is not a system uid"
[[ $SVC_HOME == /var/lib/flashsale && $SVC_SHELL == /usr/sbin/nologin ]] || fail "account: $ACCOUNT"
grep -q "^flashsale:x:$SVC_GID:" "$ROOT/etc/group" || fail "no flashsale group $SVC_GID"
[[ $(stat -c '%u:%g %a' "$ROOT/var/lib/flashsale") == "$SVC_UID:$SVC_GID 750" ]] \
  || fail "/var/lib/flashsale is $(stat -c '%u:%g %a' "$ROOT/var/lib/flashsale"), expected $SVC_UID:$SVC_GID 750"
[[ ! -s $TMP/systemctl.calls ]] || fail "maintainer scripts called systemctl under dpkg --root: $(cat "$TMP/systemctl.calls")"
# Installing again is an upgrade path for the scripts (configure with a version): idempotent.
PATH="$TMP/fakebin:$PATH" timeout 120 "${DPKG[@]}" -i "$DEB" >>"$TMP/dpkg-install.log" 2>&1 || fail "dpkg -i (again) failed"
[[ $(grep -c '^flashsale:' "$ROOT/etc/passwd") == 1 ]] || fail "reinstall duplicated the account"
[[ ! -s $TMP/systemctl.calls ]] || fail "maintainer scripts called systemctl under dpkg --root: $(cat "$TMP/systemctl.calls")"
ok "installed (twice); account flashsale $SVC_UID:$SVC_GID; /var/lib/flashsale 750; no systemctl call"

# ---------------------------------------------------------------------------------------
step "the options the deployment files pass exist in the installed binary"
"$ROOT/usr/bin/flashsale" --help >"$TMP/help.txt" 2>&1 || fail "flashsale --help failed"
{
  sed -n 's/^ExecStart=//p' "$SRC/installer/systemd/flashsale.service"
  grep -E '^(ENTRYPOINT|CMD)|^ +"--' "$SRC/installer/docker/Dockerfile"
  grep -E '^ +- --' "$SRC/installer/kubernetes/deployment.yaml"
} | grep -o -E -- '--[a-z][a-z-]*' | sort -u >"$TMP/used-options.txt"
while read -r option; do
  grep -q -E -- "(^|[ ,])$option( |$)" "$TMP/help.txt" || fail "option $option (used by installer/) is unknown to flashsale --help"
done <"$TMP/used-options.txt"
ok "$(tr '\n' ' ' <"$TMP/used-options.txt")"

# ---------------------------------------------------------------------------------------
step "start the installed binary as the flashsale account"
RUN_AS=()
[[ $(id -u) -eq 0 ]] && RUN_AS=(setpriv "--reuid=$SVC_UID" "--regid=$SVC_GID" --clear-groups)
env -u FLASHSALE_ADMIN_EMAIL -u FLASHSALE_ADMIN_PASSWORD HOME="$ROOT/var/lib/flashsale" \
  "${RUN_AS[@]}" "$ROOT/usr/bin/flashsale" --headless --port 0 --bind 127.0.0.1 \
  --data-dir "$ROOT/var/lib/flashsale" --config "$ROOT/etc/flashsale/flashsale.ini" --no-demo \
  >"$TMP/server.out" 2>"$TMP/server.err" </dev/null &
SERVER_PID=$!
BASE=""
for ((i = 0; i < 600; i++)); do
  BASE="$(grep -o -E 'FlashSale is serving at http://127\.0\.0\.1:[0-9]+' "$TMP/server.out" | grep -o -E 'http://.*' || true)"
  [[ -n $BASE ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the installed flashsale exited before serving"
  sleep 0.1
done
[[ -n $BASE ]] || fail "no 'FlashSale is serving at' line within 60 s"
ok "serving at $BASE (pid $SERVER_PID)"

http_status() { # url [curl options...]: prints the status code
  local url="$1"
  shift
  curl -sS -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' --max-time 5 "$@" "$url" || echo 000
}
header() { tr -d '\r' <"$TMP/headers" | sed -n "s/^$1: //Ip"; }

step "health through the installed binary"
[[ $(http_status "$BASE/health/live") == 200 ]] || fail "GET /health/live: $(cat "$TMP/body")"
ok "GET /health/live 200 $(cat "$TMP/body")"
status=000
for ((i = 0; i < 50; i++)); do
  status="$(http_status "$BASE/health/ready")"
  [[ $status == 200 ]] && break
  sleep 0.2
done
[[ $status == 200 ]] || fail "GET /health/ready answered $status: $(cat "$TMP/body")"
ok "GET /health/ready 200 $(cat "$TMP/body")"
[[ $(stat -c '%u' "$ROOT/var/lib/flashsale/jwt-signing.key") == "$SVC_UID" ]] || fail "signing key not owned by flashsale"
[[ $(stat -c '%a' "$ROOT/var/lib/flashsale/jwt-signing.key") == 600 ]] || fail "signing key mode is not 600"
ok "signing key and database written in /var/lib/flashsale by the flashsale account"

# ---------------------------------------------------------------------------------------
step "nginx -t on installer/nginx/nginx-test.conf"
# flashsale.conf names two host paths (the cache and an access log) that nginx -t would
# create: point them into the temporary folder. Everything else is tested as written.
NG="$TMP/nginx"
mkdir -p "$NG/tmp" "$NG/cache" "$NG/log"
cp "$SRC/installer/nginx/nginx-test.conf" "$NG/"
sed -e "s#/var/cache/nginx/#$NG/cache/#g" -e "s#/var/log/nginx/#$NG/log/#g" \
  "$SRC/installer/nginx/flashsale.conf" >"$NG/flashsale.conf"
if grep -n -E '/var/|/etc/|/run/' "$NG/flashsale.conf" | grep -v -E '^[0-9]+:\s*#'; then
  fail "flashsale.conf names a host path the test does not redirect"
fi
timeout 30 nginx -t -q -p "$NG/" -e stderr -c "$NG/nginx-test.conf" 2>"$TMP/nginx-t.log" \
  || { cat "$TMP/nginx-t.log" >&2; fail "nginx -t rejected the configuration"; }
ok "nginx -t accepts flashsale.conf inside nginx-test.conf"

step "nginx in front of the installed binary (loopback)"
NGPORT="$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
NODE="${BASE#http://}"
sed -i -e "s#^\(\s*\)listen 80;#\1listen 127.0.0.1:$NGPORT;#" -e '/listen \[::\]:80;/d' \
  -e "s#server 127\.0\.0\.1:808[123] #server $NODE #" "$NG/flashsale.conf"
grep -q "listen 127.0.0.1:$NGPORT;" "$NG/flashsale.conf" || fail "could not point the nginx listener at a loopback port"
[[ $(grep -c "server $NODE " "$NG/flashsale.conf") == 3 ]] || fail "could not point the upstream at the test node"
nginx -p "$NG/" -e stderr -c "$NG/nginx-test.conf" -g 'daemon off;' 2>>"$NG/error.log" &
NGINX_PID=$!
FRONT="http://127.0.0.1:$NGPORT"
status=000
for ((i = 0; i < 100; i++)); do
  kill -0 "$NGINX_PID" 2>/dev/null || fail "nginx exited"
  status="$(http_status "$FRONT/health/ready")"
  [[ $status == 200 ]] && break
  sleep 0.1
done
[[ $status == 200 ]] || fail "GET /health/ready through nginx: $status"
[[ -n $(header X-Request-Id) ]] || fail "no X-Request-Id through nginx"
ok "GET /health/ready 200 through nginx, X-Request-Id $(header X-Request-Id)"
status="$(http_status "$FRONT/products" -H 'X-Request-Id: packaging-test-1')"
[[ $status == 200 ]] || fail "GET /products through nginx: $status $(cat "$TMP/body")"
[[ $(header X-Request-Id) == packaging-test-1 ]] || fail "X-Request-Id not kept: '$(header X-Request-Id)'"
[[ $(header X-Cache-Status) == MISS ]] || fail "first GET /products: X-Cache-Status '$(header X-Cache-Status)'"
http_status "$FRONT/products" -H 'X-Request-Id: packaging-test-2' >/dev/null
[[ $(header X-Cache-Status) == HIT ]] || fail "second GET /products not from the micro-cache: '$(header X-Cache-Status)'"
[[ $(header X-Request-Id) == packaging-test-2 ]] || fail "cached answer carries X-Request-Id '$(header X-Request-Id)', not this request's"
ok "GET /products: MISS then HIT, each answer with its own X-Request-Id"
http_status "$FRONT/products" -H 'Authorization: Bearer not-a-token' >/dev/null
[[ $(header X-Cache-Status) == BYPASS ]] || fail "GET /products with Authorization: X-Cache-Status '$(header X-Cache-Status)'"
ok "a request with credentials bypasses the cache"
status="$(http_status "$FRONT/sales")"
[[ $status == 200 ]] || fail "GET /sales through nginx: $status"
[[ -n $(header X-Cache-Status) ]] || fail "GET /sales is not micro-cached"
ok "GET /sales 200, X-Cache-Status $(header X-Cache-Status)"
status="$(http_status "$FRONT/sales/1/purchase" -X POST -H 'Content-Type: application/json' -d '{"quantity":1}')"
[[ $status =~ ^4[0-9][0-9]$ ]] || fail "anonymous POST /sales/1/purchase through nginx: $status, expected a 4xx"
[[ -z $(header X-Cache-Status) ]] || fail "purchase went through the cache: $(header X-Cache-Status)"
ok "anonymous POST /sales/1/purchase: $status, not cached"
head -c 70000 /dev/zero | tr '\0' 'x' >"$TMP/big.json"
status="$(http_status "$FRONT/users" -X POST -H 'Content-Type: application/json' --data-binary "@$TMP/big.json")"
[[ $status == 413 ]] || fail "a 70,000-byte body through nginx: $status, expected 413"
[[ $(header Content-Type) == application/problem+json* ]] || fail "nginx's 413 is not problem details: $(header Content-Type)"
ok "a body over 64k: 413 problem details from nginx"
limited=0
for ((i = 0; i < 30; i++)); do
  status="$(http_status "$FRONT/token" -X POST -H 'Content-Type: application/json' -d '{}')"
  [[ $status == 5* ]] && fail "POST /token through nginx: $status"
  if [[ $status == 429 ]] && grep -q 'from this address' "$TMP/body"; then
    limited=$((limited + 1))
  fi
done
((limited > 0)) || fail "30 quick POST /token from one address: none limited by nginx"
ok "30 quick POST /token from one address: $limited refused by nginx's limit_req (429 problem details)"
stop_process "$NGINX_PID" QUIT 10
wait "$NGINX_PID" 2>/dev/null || true
NGINX_PID=""

# ---------------------------------------------------------------------------------------
step "SIGTERM: the installed binary exits 0 within 20 s"
kill -TERM "$SERVER_PID"
for ((i = 0; i < 200; i++)); do
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$SERVER_PID" 2>/dev/null && fail "still running 20 s after SIGTERM"
code=0
wait "$SERVER_PID" || code=$?
SERVER_PID=""
((code == 0)) || fail "exit code $code after SIGTERM"
ok "stopped after $((i / 10)).$((i % 10)) s, exit code 0"

# ---------------------------------------------------------------------------------------
step "dpkg --root --purge"
PATH="$TMP/fakebin:$PATH" timeout 120 "${DPKG[@]}" --purge flashsale >"$TMP/dpkg-purge.log" 2>&1 || fail "dpkg --purge failed"
[[ ! -e $ROOT/usr/bin/flashsale ]] || fail "binary left after purge"
[[ ! -e $ROOT/lib/systemd/system/flashsale.service ]] || fail "unit left after purge"
[[ ! -e $ROOT/etc/flashsale/flashsale.ini ]] || fail "conffile left after purge"
[[ -f $ROOT/var/lib/flashsale/jwt-signing.key ]] || fail "purge removed the data folder (it must keep the sale data)"
[[ ! -s $TMP/systemctl.calls ]] || fail "maintainer scripts called systemctl under dpkg --root: $(cat "$TMP/systemctl.calls")"
ok "files and conffile gone, /var/lib/flashsale kept, no systemctl call"

# ---------------------------------------------------------------------------------------
step "systemd-analyze verify installer/systemd/flashsale.service"
if command -v systemd-analyze >/dev/null 2>&1; then
  # verify checks that ExecStart's program exists: point it at the packaged binary.
  mkdir -p "$TMP/unit"
  sed "s#/usr/bin/flashsale#$TMP/unit/flashsale#" "$SRC/installer/systemd/flashsale.service" >"$TMP/unit/flashsale.service"
  dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./usr/bin/flashsale >"$TMP/unit/flashsale"
  chmod 0755 "$TMP/unit/flashsale"
  # Warnings (an unknown key, a bad value) do not change verify's exit code: any output fails.
  if ! timeout 60 systemd-analyze verify --man=no "$TMP/unit/flashsale.service" >"$TMP/verify.log" 2>&1 || [[ -s $TMP/verify.log ]]; then
    cat "$TMP/verify.log" >&2
    fail "systemd-analyze verify"
  fi
  ok "systemd-analyze verify: no complaint"
  if timeout 60 systemd-analyze security --offline=true --threshold=50 "$TMP/unit/flashsale.service" >"$TMP/security.log" 2>&1; then
    ok "$(grep -o 'Overall exposure level.*' "$TMP/security.log" || echo 'exposure within threshold')"
  elif grep -q -i -E 'unrecognized|unknown option' "$TMP/security.log"; then
    echo "   skipped: this systemd-analyze has no offline security check"
  else
    tail -n 5 "$TMP/security.log" >&2
    fail "systemd-analyze security: exposure above 5.0"
  fi
else
  echo "   SKIPPED: systemd-analyze not found (Debian package: systemd); the unit was not verified"
fi

# ---------------------------------------------------------------------------------------
step "Kubernetes manifests and Dockerfile (static: no cluster, no Docker engine here)"
"$PYTHON" - "$SRC" <<'PY'
import configparser, os, re, sys
import yaml

src = sys.argv[1]
kdir = os.path.join(src, "installer", "kubernetes")
errors = []

def check(cond, message):
    if not cond:
        errors.append(message)

docs = {}
for name in sorted(os.listdir(kdir)):
    if not name.endswith((".yaml", ".yml")):
        continue
    with open(os.path.join(kdir, name)) as f:
        try:
            loaded = [d for d in yaml.safe_load_all(f) if d is not None]
        except yaml.YAMLError as e:
            sys.exit(f"FAIL: {name}: {e}")
    check(len(loaded) == 1, f"{name}: expected one document, found {len(loaded)}")
    docs[name] = loaded[0]
    if name != "kustomization.yaml":
        d = loaded[0]
        check({"apiVersion", "kind", "metadata"} <= set(d), f"{name}: apiVersion, kind or metadata missing")

kus = docs.get("kustomization.yaml") or {}
check(kus.get("kind") == "Kustomization", "kustomization.yaml: kind is not Kustomization")
check(sorted(kus.get("resources", [])) == sorted(n for n in docs if n != "kustomization.yaml"),
      f"kustomization.yaml resources {kus.get('resources')} != the folder's manifests")

def kind(k):
    found = [d for d in docs.values() if d.get("kind") == k]
    check(len(found) == 1, f"expected one {k}, found {len(found)}")
    return found[0] if found else {}

dep, svc, hpa, pdb, cm = (kind(k) for k in ("Deployment", "Service", "HorizontalPodAutoscaler",
                                            "PodDisruptionBudget", "ConfigMap"))
spec = dep.get("spec", {})
check(spec.get("replicas") == 3, "Deployment replicas != 3")
ru = spec.get("strategy", {}).get("rollingUpdate", {})
check(spec.get("strategy", {}).get("type") == "RollingUpdate", "Deployment strategy is not RollingUpdate")
check(ru.get("maxSurge") == "25%" and ru.get("maxUnavailable") == "10%", f"rollingUpdate {ru}")
pod = spec.get("template", {}).get("spec", {})
labels = spec.get("template", {}).get("metadata", {}).get("labels", {})
check(spec.get("selector", {}).get("matchLabels", {}).items() <= labels.items(), "Deployment selector does not match its pods")
containers = pod.get("containers", [])
check(len(containers) == 1, "Deployment: expected one container")
c = containers[0] if containers else {}
check(c.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/health/ready", "readiness probe is not GET /health/ready")
check(c.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/health/live", "liveness probe is not GET /health/live")
res = c.get("resources", {})
check({"cpu", "memory"} <= set(res.get("requests", {})) and {"cpu", "memory"} <= set(res.get("limits", {})),
      "container resources need cpu and memory requests and limits")
env = {e["name"]: e for e in c.get("env", [])}
for var in ("FLASHSALE_ADMIN_EMAIL", "FLASHSALE_ADMIN_PASSWORD", "FLASHSALE_DATABASE_URL"):
    check("secretKeyRef" in env.get(var, {}).get("valueFrom", {}), f"{var} is not taken from a Secret")
args = c.get("args", [])
check("--database" in args and args[args.index("--database") + 1] == "$(FLASHSALE_DATABASE_URL)",
      "--database is not given $(FLASHSALE_DATABASE_URL)")
ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
check(ports.get("http") == 8080, "container port http is not 8080")
sc = pod.get("securityContext", {})
check(sc.get("runAsNonRoot") is True, "pod securityContext: runAsNonRoot is not true")
mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
check(mounts.get("config") == "/etc/flashsale", "the ConfigMap is not mounted at /etc/flashsale")
volumes = {v["name"]: v for v in pod.get("volumes", [])}
check(volumes.get("config", {}).get("configMap", {}).get("name") == cm.get("metadata", {}).get("name"),
      "the config volume does not name the ConfigMap")

check(svc.get("spec", {}).get("selector", {}).items() <= labels.items(), "Service selector does not match the pods")
check(any(p.get("targetPort") in ("http", 8080) for p in svc.get("spec", {}).get("ports", [])), "Service does not target port http")

check(hpa.get("apiVersion") == "autoscaling/v2", "HPA is not autoscaling/v2")
hs = hpa.get("spec", {})
check(hs.get("minReplicas") == 3 and hs.get("maxReplicas") == 20, "HPA replicas are not 3..20")
check(hs.get("scaleTargetRef", {}).get("name") == dep.get("metadata", {}).get("name"), "HPA does not target the Deployment")
cpu = [m for m in hs.get("metrics", []) if m.get("resource", {}).get("name") == "cpu"]
check(bool(cpu) and cpu[0]["resource"]["target"].get("averageUtilization") == 75, "HPA CPU target is not 75%")

check(pdb.get("apiVersion") == "policy/v1" and pdb.get("spec", {}).get("minAvailable") == 2, "PDB is not policy/v1 minAvailable 2")
check(pdb.get("spec", {}).get("selector", {}).get("matchLabels", {}).items() <= labels.items(), "PDB selector does not match the pods")

def ini_keys(text):
    p = configparser.ConfigParser(comment_prefixes=(";", "#"), interpolation=None)
    p.optionxform = str
    p.read_string(text)
    return {f"{s}/{k}" for s in p.sections() for k in p[s]}

with open(os.path.join(src, "resources", "config", "flashsale.ini")) as f:
    documented = ini_keys(f.read())
ini = cm.get("data", {}).get("flashsale.ini", "")
check(bool(ini), "ConfigMap has no flashsale.ini")
cluster = ini_keys(ini) if ini else set()
check(cluster <= documented, f"ConfigMap keys not in resources/config/flashsale.ini: {sorted(cluster - documented)}")
if documented - cluster:
    print(f"   note: ConfigMap leaves at their defaults: {', '.join(sorted(documented - cluster))}")

# Dockerfile: what can be checked without an engine.
with open(os.path.join(src, "installer", "docker", "Dockerfile")) as f:
    dockerfile = f.read()
logical = re.sub(r"\\\n", " ", dockerfile)
froms = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", logical, re.M | re.I)
check(len(froms) >= 2, "Dockerfile is not multi-stage")
check(froms and froms[0][0].startswith("debian:"), "Dockerfile build stage is not Debian")
users = re.findall(r"^USER\s+(\S+)", logical, re.M)
check(bool(users) and users[-1].split(":")[0] not in ("root", "0"), "Dockerfile runs as root")
check(re.search(r"^EXPOSE\s+8080\b", logical, re.M) is not None, "Dockerfile does not EXPOSE 8080")
check(re.search(r"^HEALTHCHECK\b.*curl\b.*/health/live", logical, re.M) is not None, "no HEALTHCHECK with curl on /health/live")
entry = re.search(r"^ENTRYPOINT\s+(\[.*\])", logical, re.M)
entry_args = yaml.safe_load(entry.group(1)) if entry else []
for a, b in (("--bind", "0.0.0.0"), ("--port", "8080"), ("--data-dir", "/var/lib/flashsale")):
    check(a in entry_args and entry_args[entry_args.index(a) + 1] == b, f"ENTRYPOINT lacks {a} {b}")
check("--headless" in entry_args, "ENTRYPOINT lacks --headless")
stages = re.split(r"^FROM\s", logical, flags=re.M)
build_stage = stages[1] if len(stages) > 1 else ""
apt = set()
for m in re.finditer(r"apt-get install ([^&]*)", build_stage):
    apt |= {w for w in m.group(1).split() if not w.startswith("-")}
with open(os.path.join(src, "flashsale")) as f:
    script = f.read()
m = re.search(r"^PACKAGES=\(([^)]*)\)", script, re.M)
packages = set(m.group(1).split()) if m else set()
check(apt and apt <= packages, f"Dockerfile build packages not in ./flashsale's PACKAGES: {sorted(apt - packages)}")

if errors:
    for e in errors:
        print(f"FAIL: {e}", file=sys.stderr)
    sys.exit(1)
print(f"   ok: {len(docs)} YAML files parse; Deployment, Service, HPA, PDB, ConfigMap, Kustomization consistent")
print(f"   ok: Dockerfile: {len(froms)} stages, non-root USER {users[-1]}, EXPOSE 8080, HEALTHCHECK, ENTRYPOINT")
PY

printf '\nPASS: flashsale_%s_%s.deb builds, installs, serves, stops on SIGTERM and purges; deployment files check out\n' "$VERSION" "$ARCH"
