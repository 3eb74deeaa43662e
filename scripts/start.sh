#!/usr/bin/env bash
# The main job (`npm start`): build the VSIX and run it in a local VS Code against the fake Entra ID.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent package
npm run --silent compile-tests
bash scripts/host/setup.sh
exec node out/scripts/demo.js
