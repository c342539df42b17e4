#!/usr/bin/env bash
# The real-editor tier (`npm run test:editor`): Query Lens in a real VS Code workbench.
#
#   1. scripts/e2e-setup.sh        chromium, code-server and playwright-core (cached outside the repo)
#   2. npm run bundle              dist/ (skip with E2E_SKIP_BUNDLE=1 when it was just built)
#   3. vsce package                the .vsix that users would install
#   4. two code-server instances   A: the .vsix gets installed into it (by editor.e2e.js);
#                                  B: empty, runs test/editor/suite with extensionDevelopmentPath=repo
#   5. node test/e2e/editor.e2e.js drives both through headless Chromium; its exit code is ours.
#
# All code-server state (config, user data, extensions, HOME, XDG_*, TMPDIR) lives in one mktemp
# scratch folder. Each code-server is started with setsid on a free port, waited for through
# /healthz, and its whole process group (workbench server, extension host, language server) is
# killed by the EXIT trap.
#
# Environment: E2E_SHOTS (screenshots and logs; default test/e2e/shots), E2E_SKIP_BUNDLE=1,
# E2E_KEEP_SCRATCH=1 (keep the scratch folder for debugging), QUERY_LENS_E2E_CACHE (see setup).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
ts() { date +%s%N; }
el() { local d=$(( ($(ts) - $1) / 1000000 )); printf '%d.%01ds' $((d / 1000)) $(((d % 1000) / 100)); }
say() { echo "test:editor: $*"; }
T_ALL=$(ts)

SHOTS=${E2E_SHOTS:-$ROOT/test/e2e/shots}
case "$SHOTS" in /*) ;; *) SHOTS=$ROOT/$SHOTS ;; esac
mkdir -p "$SHOTS"
rm -f "$SHOTS"/[0-9][0-9]-*.png "$SHOTS"/browser-console-*.log "$SHOTS"/code-server-*.log   # our own files only

S=$(mktemp -d "${TMPDIR:-/tmp}/query-lens-e2e.XXXXXX")
PGIDS=()
cleanup() {
  local rc=$?
  for pg in "${PGIDS[@]}"; do
    kill -TERM -- "-$pg" 2>/dev/null || true
  done
  for pg in "${PGIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 -- "-$pg" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pg" 2>/dev/null || true
  done
  for n in a b; do [ -f "$S/$n/code-server.log" ] && cp "$S/$n/code-server.log" "$SHOTS/code-server-$n.log"; done
  if [ "${E2E_KEEP_SCRATCH:-}" = 1 ]; then say "scratch kept: $S"; else rm -rf "$S"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1) tools ------------------------------------------------------------------------------------
bash "$ROOT/scripts/e2e-setup.sh" | tee "$S/setup.out"
CODE_SERVER=$(sed -n 's/^CODE_SERVER=//p' "$S/setup.out")
PLAYWRIGHT_CORE=$(sed -n 's/^PLAYWRIGHT_CORE=//p' "$S/setup.out")
[ -x "$CODE_SERVER" ] && [ -d "$PLAYWRIGHT_CORE" ] || { say "setup did not report its paths"; exit 1; }

# 2) build ------------------------------------------------------------------------------------
T=$(ts)
if [ "${E2E_SKIP_BUNDLE:-}" != 1 ] && [ -f scripts/bundle.mjs ]; then
  npm run -s bundle >"$S/bundle.log" 2>&1 || { cat "$S/bundle.log"; say "npm run bundle failed"; exit 1; }
  say "bundle: dist/ rebuilt ($(el "$T"))"
fi
for f in dist/client.js dist/server.js; do
  [ -f "$f" ] || { say "$f is missing: run \`npm run build\` first"; exit 1; }
done

# 3) package ----------------------------------------------------------------------------------
T=$(ts)
VSIX=$S/query-lens.vsix
# `npm run package` itself (package.json), into the scratch folder (vsce takes the last -o).
# README links stay relative (--no-rewrite-relative-links): the docs they point to ship inside
# the .vsix. A warning from vsce fails the tier: what users install is packaged cleanly.
if ! npm run -s package -- -o "$VSIX" </dev/null >"$S/vsce.log" 2>&1; then
  cat "$S/vsce.log"; say "vsce package failed"; exit 1
fi
if grep -q 'WARNING' "$S/vsce.log"; then
  grep -A2 'WARNING' "$S/vsce.log"; say "vsce package warned (see above)"; exit 1
fi
say "vsce: packaged $(basename "$VSIX") ($(du -k "$VSIX" | cut -f1) KiB, no warnings; $(el "$T"))"

# 4) code-server instances, everything in the scratch folder ----------------------------------
export HOME=$S/home XDG_CONFIG_HOME=$S/home/.config XDG_DATA_HOME=$S/home/.local/share \
  XDG_CACHE_HOME=$S/home/.cache XDG_STATE_HOME=$S/home/.local/state TMPDIR=$S/tmp
mkdir -p "$HOME" "$TMPDIR"
# The suite (instance B) writes one JSON line per test here; the extension host inherits it.
export QUERY_LENS_E2E_RESULTS=$S/b/results.jsonl

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# launch NAME WORKSPACE: starts code-server instance NAME (state in $S/NAME) on a free port.
launch() {
  local name=$1 ws=$2 dir=$S/$1 port
  mkdir -p "$dir/ud/User" "$dir/exts"
  [ -f "$dir/ud/User/settings.json" ] || cat >"$dir/ud/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "security.workspace.trust.enabled": false
}
JSON
  port=$(free_port)
  setsid "$CODE_SERVER" --config "$dir/config.yaml" --bind-addr "127.0.0.1:$port" --auth none \
    --user-data-dir "$dir/ud" --extensions-dir "$dir/exts" --disable-telemetry --disable-update-check \
    --disable-workspace-trust --disable-getting-started-override "$ws" >"$dir/code-server.log" 2>&1 &
  PGIDS+=("$!")   # setsid made it a session and process group leader: PGID == PID
  eval "PID_$name=$! PORT_$name=$port"
}

# ready NAME: polls /healthz (up to 30 s); fails early if the process died (port taken, ...).
ready() {
  local name=$1 pid port i
  eval "pid=\$PID_$name port=\$PORT_$name"
  for i in $(seq 1 300); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -- "-$pid" 2>/dev/null || true
  say "code-server $name did not come up on port $port: $(tail -3 "$S/$name/code-server.log" | tr '\n' ' ')"
  return 1
}

T=$(ts)
mkdir -p "$S/a" "$S/b"
cp -r "$ROOT/test/e2e/fixtures/workspace" "$S/a/workspace"   # a: the fixture files
cp -r "$ROOT/test/e2e/fixtures/plans" "$S/a/plans"           # a: a workspace with a schema (embedded plans)
mkdir -p "$S/b/workspace"                                     # b: the suite writes its own files
launch a "$S/a/workspace"
launch b "$S/b/workspace"
for n in a b; do
  ready "$n" || { launch "$n" "$S/$n/workspace"; ready "$n"; } || exit 1
done
say "code-server: a on 127.0.0.1:$PORT_a, b on 127.0.0.1:$PORT_b, /healthz ok ($(el "$T"))"

# 5) the tests --------------------------------------------------------------------------------
set +e
E2E_REPO=$ROOT E2E_SCRATCH=$S E2E_SHOTS=$SHOTS E2E_CODE_SERVER=$CODE_SERVER E2E_PLAYWRIGHT_CORE=$PLAYWRIGHT_CORE \
E2E_VSIX=$VSIX E2E_A_PORT=$PORT_a E2E_A_DIR=$S/a E2E_A_WS=$S/a/workspace E2E_A_PLANS_WS=$S/a/plans \
E2E_B_PORT=$PORT_b E2E_B_DIR=$S/b E2E_B_WS=$S/b/workspace \
  node "$ROOT/test/e2e/editor.e2e.js"
rc=$?
set -e
say "total $(el "$T_ALL") (exit $rc)"
exit $rc
