#!/usr/bin/env bash
# A rehearsal of a newcomer's first command on a machine with nothing installed by hand:
#   tests/setup/rehearse_fresh_machine.sh [WORK_DIR]
# 1. builds a minimal Debian 12 root (mmdebstrap --variant=minbase bookworm), with this
#    machine's own apt sources and nothing else;
# 2. copies the committed tree (git archive HEAD) into it;
# 3. runs `./flashsale build` inside it (chroot), then starts the built server headless
#    on loopback and asks GET /health/live, as `./flashsale run --headless` would.
# It prints how long each step took and what apt downloaded. Needs root and mmdebstrap
# (apt-get install mmdebstrap); not part of CI (it downloads some hundreds of MB).
# docs/runbook.md ("A fresh machine, rehearsed") records a run.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${1:-$(mktemp -d /tmp/flashsale-rehearsal.XXXXXX)}"
ROOT="$WORK/root"
mkdir -p "$WORK"
[[ $(id -u) -eq 0 ]] || { echo "rehearsal: run as root (chroot, mmdebstrap)" >&2; exit 2; }
command -v mmdebstrap >/dev/null || { echo "rehearsal: apt-get install mmdebstrap" >&2; exit 2; }

elapsed() { local s=$1; echo "$(( $(date +%s) - s )) s"; }
mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  [[ -n ${server_pid:-} ]] && kill "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT

# This machine's own apt sources, in whichever format it keeps them.
sources=$(ls /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 || true)
[[ -n $sources ]] || sources=/etc/apt/sources.list

echo "== 1. minimal Debian 12 root in $ROOT (sources: $sources)"
t=$(date +%s)
if [[ ! -x $ROOT/bin/bash ]]; then
  mmdebstrap --variant=minbase --quiet bookworm "$ROOT" "$sources" 2>&1 | tail -n 5
fi
echo "   took $(elapsed "$t"); $(chroot "$ROOT" dpkg-query -W | wc -l) packages; $(du -shx "$ROOT" | cut -f1)"

echo "== 2. the committed tree (git archive HEAD) into $ROOT/src"
rm -rf "$ROOT/src"
mkdir -p "$ROOT/src"
git -C "$SRC" archive HEAD | tar -x -C "$ROOT/src"
for m in proc sys dev; do
  mount --bind "/$m" "$ROOT/$m"
  mounted+=("$ROOT/$m")
done
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true

echo "== 3. ./flashsale build inside the chroot"
t=$(date +%s)
before=$(du -smx "$ROOT" | cut -f1)
if ! chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    bash -c 'cd /src && ./flashsale build'; then
  echo "rehearsal: ./flashsale build FAILED after $(elapsed "$t")"
  exit 1
fi
echo "   took $(elapsed "$t"); the root grew by $(( $(du -smx "$ROOT" | cut -f1) - before )) MB"
grep -h "^Need to get\|^After this operation\|newly installed" "$ROOT/src/build/logs/apt-install.log" | sed 's/^/   apt: /' || true

echo "== 4. the built server, headless on loopback"
port=$((20000 + RANDOM % 20000))
chroot "$ROOT" /src/build/release/app/flashsale --headless --port "$port" --bind 127.0.0.1 --data-dir /tmp/rehearsal-data \
  >"$WORK/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1; then
    echo "   GET /health/live: 200; GET /sales: $(curl -fsS "http://127.0.0.1:$port/sales" | head -c 120)..."
    echo "rehearsal: OK"
    exit 0
  fi
  sleep 0.2
done
echo "rehearsal: the server did not answer; its log:"; tail -n 20 "$WORK/server.log"
exit 1
