#!/usr/bin/env bash
# The storefront's browser tests (CTest: browser_storefront, label browser):
#   run_browser_tests.sh SOURCE_DIR NODE_DIR [node --test options, e.g. --test-name-pattern=keyboard]
# installs playwright-core and axe-core exactly as package-lock.json pins them into
# NODE_DIR (npm ci, again only when the lock changed; no browser is downloaded: the tests
# drive Debian's /usr/bin/chromium), then runs storefront.test.mjs with node's test runner.
set -euo pipefail
SRC="$(cd "${1:?usage: $0 SOURCE_DIR NODE_DIR}" && pwd)"
NODE_DIR="${2:?usage: $0 SOURCE_DIR NODE_DIR}"
shift 2 # the rest goes to node --test: run a few tests with --test-name-pattern=...
for p in node npm /usr/bin/chromium; do
  command -v "$p" >/dev/null || { echo "FAIL: $p is missing (./flashsale installs it)" >&2; exit 1; }
done
: "${FLASHSALE_BINARY:?FLASHSALE_BINARY is not set (run through CTest)}"
mkdir -p "$NODE_DIR"
if ! cmp -s "$SRC/package-lock.json" "$NODE_DIR/package-lock.json" || [[ ! -d $NODE_DIR/node_modules/playwright-core ]]; then
  cp "$SRC/package.json" "$SRC/package-lock.json" "$NODE_DIR/"
  echo "== npm ci in $NODE_DIR"
  (cd "$NODE_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund)
fi
export FLASHSALE_NODE_MODULES="$NODE_DIR/node_modules"
echo "== node $(node --version), $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
exec node --test "$@" "$SRC/storefront.test.mjs"
