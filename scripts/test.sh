#!/usr/bin/env bash
# The project's test command (`npm test`): from a fresh clone, installs what the tests need, builds
# the VSIX, and runs unit, integration and real-VS-Code tests. Fails loudly on the first problem.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

step "npm packages"
npm ci --no-audit --no-fund

step "lint and type check"
npm run --silent lint
npm run --silent typecheck

step "build the VSIX"
npm run --silent package

step "compile tests"
npm run --silent compile-tests

step "unit and integration tests (Node, real MSAL, fake Entra ID on 127.0.0.1)"
npx mocha --require out/test/support/leakScan.js --timeout 60000 'out/test/unit/**/*.test.js' 'out/test/integration/**/*.test.js' 2>&1 | tee "$results/node.txt"

step "model test: many windows over one secret (desktop SecretStorage semantics), ours and the last-writer-wins baseline"
npm run --silent test:model 2>&1 | tee "$results/model.txt"

step "benchmark, quick mode (proves it still runs; a benchmark never fails on a timing)"
npm run --silent bench:quick -- --out "$results/bench" > "$results/bench.log"
tail -n 12 "$results/bench.log"

step "real VS Code host: set-up (code-server, Node 24, Chromium; reused when present) and tests"
bash scripts/host/test.sh 2>&1 | tee "$results/host.txt"

step "real VS Code host: journeys against builds broken on purpose must fail"
bash scripts/host/broken-on-purpose.sh

# One closing line over both runs (mocha prints "N passing" / "N failing" per run).
count() { cat "$results"/*.txt | awk -v word="$1" '$2 == word && $1 ~ /^[0-9]+$/ { n += $1 } END { print n + 0 }'; }
printf '\n%s passed, %s failed\n' "$(count passing)" "$(count failing)"
