#!/usr/bin/env bash
# The msal-node-extensions contender is a dev-only package that is not in package.json: its
# dependency keytar builds a native module that needs libsecret's headers, and the bench never
# calls keytar (it uses file persistence; see contenders.ts). Installed here on demand, without
# install scripts, so that `npm run bench` has all four contenders on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=5.5.2
if node -e "process.exit(require('@azure/msal-node-extensions/package.json').version === '$VERSION' ? 0 : 1)" 2>/dev/null; then
  exit 0
fi
echo "bench: installing @azure/msal-node-extensions@$VERSION (not saved, install scripts skipped)" >&2
npm install --no-save --ignore-scripts --no-audit --no-fund "@azure/msal-node-extensions@$VERSION" >&2
