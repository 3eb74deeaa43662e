#!/usr/bin/env bash
# Refreshes the README screenshots in media/ from the real workbench (code-server + headless
# Chromium, against the fake Entra ID): runs the host journeys with MSAL_HOST_SCREENSHOTS_DIR=media,
# whose steps then save
#   media/accounts-menu-before.png  Accounts menu offering "Sign in with Microsoft Entra ID to use …"
#   media/sign-in-progress.png      the cancellable "Signing in to Microsoft Entra ID…" notification
#   media/consent-dialog.png        VS Code asking whether another extension may sign in
#   media/accounts-menu-after.png   two accounts signed in, an account's submenu (Sign Out)
#   media/device-code.png           the device-code notification (signInFlow deviceCode)
# Needs: bash scripts/host/setup.sh, npm run package. Takes about 3-4 minutes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/host/setup.sh >/dev/null
[ -f dist/msal-secretstorage-auth.vsix ] || { echo "screenshots: run \`npm run package\` first" >&2; exit 1; }
npx tsc -p tsconfig.test.json
SHOTS=(accounts-menu-before sign-in-progress consent-dialog accounts-menu-after device-code)
STAMP="$(mktemp)"
trap 'rm -f "$STAMP"' EXIT
MSAL_HOST_SCREENSHOTS_DIR="$ROOT/media" npx mocha --timeout 300000 \
  out/test/host/journeys.host.test.js out/test/host/signin.host.test.js \
  -g 'user journeys.*\[(install|cancel|consumer)\]|device code flow signs in'
missing=0
for s in "${SHOTS[@]}"; do
  f="media/$s.png"
  if [ ! -f "$f" ] || [ "$f" -ot "$STAMP" ]; then echo "screenshots: $f was not (re)written" >&2; missing=1; continue; fi
  printf '  %-32s %6d bytes\n' "$f" "$(stat -c %s "$f")"
done
exit $missing
