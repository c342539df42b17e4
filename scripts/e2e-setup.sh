#!/usr/bin/env bash
# Installs what the real-editor tests (test/e2e/run.sh, `npm run test:editor`) need:
#   - Debian packages: chromium (the browser playwright drives), libkrb5-dev (a native module of
#     code-server compiles against gssapi), ripgrep (stands in for @vscode/ripgrep's GitHub download)
#   - code-server (real VS Code workbench + extension host, from the npm registry)
#   - playwright-core (drives /usr/bin/chromium; never downloads a browser)
# code-server and playwright-core go into a cache folder OUTSIDE the repo, keyed by version, and are
# not added to the repo's package.json. Idempotent: each step is a no-op when its marker file exists.
#
# Environment:
#   QUERY_LENS_E2E_CACHE   cache root (default: $HOME/.cache/query-lens-e2e)
#   E2E_SKIP_APT=1         do not touch apt (the packages must then already be there)
# Prints the paths it settled on as its last lines (CODE_SERVER=..., PLAYWRIGHT_CORE=...).
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1
CACHE=${QUERY_LENS_E2E_CACHE:-$HOME/.cache/query-lens-e2e}
CS_DIR=$CACHE/code-server-$CODE_SERVER_VERSION
PW_DIR=$CACHE/playwright-core-$PLAYWRIGHT_VERSION
MARKER=.query-lens-e2e-installed

ts() { date +%s%N; }
el() { local d=$(( ($(ts) - $1) / 1000000 )); printf '%d.%01ds' $((d / 1000)) $(((d % 1000) / 100)); }
step() { echo "e2e-setup: $*"; }
die() { echo "e2e-setup: ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# 1) Debian packages
T=$(ts)
APT_PKGS=(chromium libkrb5-dev ripgrep)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  step "apt: ${APT_PKGS[*]} already installed"
elif [ "${E2E_SKIP_APT:-}" = 1 ]; then
  die "apt packages missing (${missing[*]}) and E2E_SKIP_APT=1"
else
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  # Try without refreshing the package lists first; run apt-get update only when that fails.
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}" >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}" >/dev/null
  fi
  step "apt: installed ${missing[*]} ($(el "$T"))"
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium not found after installing chromium"
command -v rg >/dev/null || die "rg not found after installing ripgrep"

mkdir -p "$CACHE"

# npm settings shared by both installs. node-gyp builds against Node's own headers (no network);
# the user npmrc on these machines says yes=false, which cancels node-pty's `npx node-gyp`;
# unsafe_perm: code-server's postinstall refuses to run as root otherwise.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
export npm_config_yes=true npm_config_unsafe_perm=true npm_config_fund=false npm_config_audit=false \
  npm_config_update_notifier=false

# ---------------------------------------------------------------------------------------------
# 2) code-server into $CS_DIR
T=$(ts)
if [ -f "$CS_DIR/$MARKER" ] && [ -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  step "code-server $CODE_SERVER_VERSION: cached in $CS_DIR"
else
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR/.tmp"
  LOG=$CACHE/code-server-$CODE_SERVER_VERSION-install.log; : >"$LOG"
  # Our own package.json in the cache folder. allowScripts records that code-server's install
  # scripts (its postinstall installs VS Code's own dependencies and builds native modules) and
  # argon2's (built from source: its prebuilt binary is on GitHub) are meant to run. In npm 11.19
  # the policy is advisory (unreviewed scripts still run, with a warning), and the nested
  # `npm install` runs of code-server's postinstall (lib/vscode: node-pty, kerberos, ...) are
  # outside this package.json's reach.
  cat > "$CS_DIR/package.json" <<JSON
{
  "name": "query-lens-e2e-code-server",
  "version": "0.0.0",
  "private": true,
  "description": "code-server for Query Lens's editor tests (written by scripts/e2e-setup.sh)",
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON
  (
    cd "$CS_DIR"
    # @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here. It first
    # looks in $TMPDIR/vscode-ripgrep-cache-<its version>/, so put Debian's rg there, packed the
    # way the download would be. Find every @vscode/ripgrep version code-server pins.
    export TMPDIR=$CS_DIR/.tmp
    npm pack "code-server@$CODE_SERVER_VERSION" --pack-destination "$TMPDIR" --loglevel=error >/dev/null 2>>"$LOG"
    case "$(uname -m)" in
      x86_64) RGARCH=x86_64-unknown-linux-musl ;;
      aarch64|arm64) RGARCH=aarch64-unknown-linux-musl ;;
      *) RGARCH=$(uname -m)-unknown-linux-gnu ;;
    esac
    RGVERS=$(tar xzOf "$TMPDIR/code-server-$CODE_SERVER_VERSION.tgz" package/lib/vscode/npm-shrinkwrap.json |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const p=JSON.parse(s).packages;
        const v=new Set(Object.keys(p).filter(k=>k.endsWith("node_modules/@vscode/ripgrep")).map(k=>p[k].version));
        console.log([...v].join(" "))})')
    mkdir -p "$TMPDIR/rg" && cp "$(command -v rg)" "$TMPDIR/rg/rg"
    for v in $RGVERS; do
      # The rg release tag is a constant in that package's lib/postinstall.js; read it from there.
      npm pack "@vscode/ripgrep@$v" --pack-destination "$TMPDIR" --loglevel=error >/dev/null 2>>"$LOG"
      tag=$(tar xzOf "$TMPDIR/vscode-ripgrep-$v.tgz" package/lib/postinstall.js | sed -n "s/^const VERSION = '\(v[^']*\)'.*/\1/p" | head -1)
      [ -n "$tag" ] || tag=v13.0.0-10
      mkdir -p "$TMPDIR/vscode-ripgrep-cache-$v"
      tar czf "$TMPDIR/vscode-ripgrep-cache-$v/ripgrep-$tag-$RGARCH.tar.gz" -C "$TMPDIR/rg" rg
    done
    npm install --save-exact "code-server@$CODE_SERVER_VERSION" --foreground-scripts >>"$LOG" 2>&1 ||
      { tail -30 "$LOG" >&2; exit 1; }
  ) || die "code-server install failed; log: $LOG"
  "$CS_DIR/node_modules/.bin/code-server" --version >/dev/null 2>&1 || die "code-server does not start; log: $LOG"
  rm -rf "$CS_DIR/.tmp"
  date -u +%FT%TZ > "$CS_DIR/$MARKER"
  step "code-server $CODE_SERVER_VERSION: installed into $CS_DIR ($(el "$T"), $(du -sh "$CS_DIR" | cut -f1))"
fi

# ---------------------------------------------------------------------------------------------
# 3) playwright-core into $PW_DIR (no browser download: the tests use /usr/bin/chromium)
T=$(ts)
if [ -f "$PW_DIR/$MARKER" ] && [ -f "$PW_DIR/node_modules/playwright-core/package.json" ]; then
  step "playwright-core $PLAYWRIGHT_VERSION: cached in $PW_DIR"
else
  rm -rf "$PW_DIR"; mkdir -p "$PW_DIR"
  LOG=$CACHE/playwright-core-$PLAYWRIGHT_VERSION-install.log
  printf '{ "name": "query-lens-e2e-playwright", "version": "0.0.0", "private": true }\n' > "$PW_DIR/package.json"
  (cd "$PW_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --save-exact "playwright-core@$PLAYWRIGHT_VERSION" >"$LOG" 2>&1) ||
    { tail -20 "$LOG" >&2; die "playwright-core install failed; log: $LOG"; }
  date -u +%FT%TZ > "$PW_DIR/$MARKER"
  step "playwright-core $PLAYWRIGHT_VERSION: installed into $PW_DIR ($(el "$T"))"
fi

echo "CODE_SERVER=$CS_DIR/node_modules/.bin/code-server"
echo "PLAYWRIGHT_CORE=$PW_DIR/node_modules/playwright-core"
