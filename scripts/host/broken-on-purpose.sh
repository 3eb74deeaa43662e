#!/usr/bin/env bash
# Proves the host journeys can fail: builds sabotaged copies of dist/msal-secretstorage-auth.vsix
# and runs the journeys that must catch each sabotage against it (MSAL_HOST_VSIX). Exits 0 only if
# EVERY sabotaged run fails (and the sabotage really was applied); exits 1 if some sabotage went
# unnoticed.
#
#   npm run package && npx tsc -p tsconfig.test.json && bash scripts/host/broken-on-purpose.sh
#
# Sabotages (applied with sed to the bundled dist/extension.js inside the VSIX):
#   no-provider  registerAuthenticationProvider(...) replaced by a no-op disposable: the provider
#                never registers. Caught by [install] (no sign-in entry in the Accounts menu).
#   no-store     every secret write (this.store.store(...)) replaced by a resolved promise: sign-ins
#                work in the window but are never saved. Caught by [persist] (gone after reload).
# Logs of each run: test-results/host-broken/<name>.log
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

VSIX="${MSAL_HOST_BASE_VSIX:-dist/msal-secretstorage-auth.vsix}"
[ -f "$VSIX" ] || { echo "broken-on-purpose: $VSIX missing: run \`npm run package\`" >&2; exit 2; }
[ -f out/test/host/journeys.host.test.js ] || { echo "broken-on-purpose: run \`npx tsc -p tsconfig.test.json\` first" >&2; exit 2; }
bash scripts/host/setup.sh >/dev/null

WORK="$(mktemp -d "${TMPDIR:-/tmp}/msal-broken-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
LOGS="$ROOT/test-results/host-broken"
rm -rf "$LOGS"
mkdir -p "$LOGS"
T0=$(date +%s)

# make_vsix NAME SED_EXPRESSION: a copy of the VSIX whose extension/dist/extension.js is patched.
make_vsix() {
  local name="$1" expr="$2" dir="$WORK/$1"
  mkdir -p "$dir/x"
  (cd "$dir/x" && unzip -q "$ROOT/$VSIX")
  local js="$dir/x/extension/dist/extension.js"
  cp "$js" "$dir/original.js"
  sed -E -i "$expr" "$js"
  if cmp -s "$js" "$dir/original.js"; then
    echo "broken-on-purpose: sabotage '$name' did not change extension.js (the pattern no longer matches the bundle)" >&2
    exit 2
  fi
  node --check "$js" || { echo "broken-on-purpose: sabotage '$name' produced invalid JavaScript" >&2; exit 2; }
  (cd "$dir/x" && zip -q -r -X "$dir/$name.vsix" .)
  echo "$dir/$name.vsix"
}

# run_sabotaged NAME VSIX GREP: runs the journeys matching GREP; returns 0 when they FAILED.
status=0
run_sabotaged() {
  local name="$1" vsix="$2" grep="$3" t rc
  t=$(date +%s)
  echo "==> $name: journeys matching /$grep/ against $vsix (must fail)"
  set +e
  MSAL_HOST_VSIX="$vsix" npx mocha --timeout 300000 out/test/host/journeys.host.test.js -g "$grep" >"$LOGS/$name.log" 2>&1
  rc=$?
  set -e
  grep -E '^\s+[0-9]+ (passing|failing|pending)' "$LOGS/$name.log" | sed 's/^/    /' || true
  grep -E '^\s+[0-9]+\) ' "$LOGS/$name.log" | head -5 | sed 's/^/    failed: /' || true
  if [ "$rc" -ne 0 ] && grep -qE '^\s+[0-9]+ failing' "$LOGS/$name.log"; then
    echo "    OK: the sabotaged run failed as it should ($(( $(date +%s) - t )) s)"
  else
    echo "    NOT CAUGHT: the journeys passed (exit $rc) against the '$name' sabotage ($(( $(date +%s) - t )) s); log: $LOGS/$name.log" >&2
    status=1
  fi
}

# (a) the provider is never registered: `X.authentication.registerAuthenticationProvider(a,b,c,{...})`
#     becomes a disposable that does nothing.
NO_PROVIDER=$(make_vsix no-provider 's/[A-Za-z_$][A-Za-z0-9_$]*\.authentication\.registerAuthenticationProvider\([^()]*\)/{dispose(){}}/g')
# (b) the cache plugin never writes: `this.store.store(` becomes a resolved promise (arguments are
#     still evaluated, nothing is stored).
NO_STORE=$(make_vsix no-store 's/this\.store\.store\(/(async()=>{})(/g')

run_sabotaged no-provider "$NO_PROVIDER" '\[install\]'
run_sabotaged no-store "$NO_STORE" '\[(install|consumer|persist)\]'

echo "broken-on-purpose: $(( $(date +%s) - T0 )) s in all; $([ $status -eq 0 ] && echo 'every sabotage was caught' || echo 'SOME SABOTAGE WAS NOT CAUGHT')"
exit $status
