#!/usr/bin/env bash
# Runs the real-host tests (test/host/*.host.test.ts): the packaged extension inside code-server,
# driven in headless Chromium, against the fake Entra ID.
#   bash scripts/host/test.sh                 # everything
#   bash scripts/host/test.sh -g 'device'     # extra arguments go to mocha
# Environment: MSAL_HOST_VSIX=<path> tests that VSIX instead of dist/msal-secretstorage-auth.vsix;
# HOST_TEST_DEBUG=1 prints the journey's steps with times; HOST_TEST_KEEP=1 keeps the temp dirs.
# Screenshots, step traces and logs of failed tests go to test-results/host/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

bash scripts/host/setup.sh

if [ -z "${MSAL_HOST_VSIX:-}" ] && [ ! -f dist/msal-secretstorage-auth.vsix ]; then
  echo "scripts/host/test.sh: dist/msal-secretstorage-auth.vsix is missing: run \`npm run package\` first" >&2
  exit 1
fi

npx tsc -p tsconfig.test.json

rm -rf test-results/host
exec npx mocha --timeout 180000 'out/test/host/**/*.host.test.js' "$@"
