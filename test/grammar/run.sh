#!/usr/bin/env bash
# Grammar tests for the SQL injection grammars in syntaxes/ (`npm run test:grammar`).
#
# The test files (test/grammar/sql-in-*.test.*) are source files with assertion comments:
#   // SYNTAX TEST "source.ts" "description"       then lines like   //   ^^^^^^ keyword.other.DML.sql
# run by vscode-tmgrammar-test over the grammars VS Code ships (node_modules/tm-grammars, given with
# -g) and ours (given with --config, the only way the tool honours `injectTo`; see harness.mjs).
# The last line is `N passed, M failed`, counting assertions; the exit status is 1 if any failed.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
HOSTS=node_modules/tm-grammars/grammars
FILES=(test/grammar/sql-in-*.test.*)

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/query-lens-grammar.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

checks_passed=0
checks_failed=0
check() { if "$@"; then checks_passed=$((checks_passed + 1)); else checks_failed=$((checks_failed + 1)); fi; }
# 1. The committed grammars are what syntaxes/build.mjs generates from the host grammars.
check node syntaxes/build.mjs --check
# 2. A package.json-shaped configuration holding our grammars with their injectTo (and package.json,
#    if it contributes them, contributes the same).
check node test/grammar/harness.mjs config "$SCRATCH"
# 3. The tests.
npx --no-install vscode-tmgrammar-test --compact --config "$SCRATCH/package.json" \
  -g "$HOSTS/typescript.json" -g "$HOSTS/tsx.json" -g "$HOSTS/javascript.json" -g "$HOSTS/jsx.json" \
  -g "$HOSTS/python.json" -g "$HOSTS/sql.json" \
  "${FILES[@]}" 2>&1 | tee "$SCRATCH/output"
tool=${PIPESTATUS[0]}
# 4. `N passed, M failed` over the assertions and the two checks above; its status is ours.
node test/grammar/harness.mjs summary "$SCRATCH/output" "$tool" "$checks_passed" "$checks_failed" "${FILES[@]}"
