#!/usr/bin/env bash
# Installs code-server (the VS Code workbench served to a browser, with the normal Node extension
# host) plus the Debian packages the e2e tests need, into a cache directory that is reused between
# runs. Idempotent: a marker file written as the very last step shows a complete install, and a
# half-finished one (interrupted run) is thrown away and redone.
#
# Why by hand: code-server's npm install scripts download a ripgrep binary from the internet (not
# reachable here) and need Kerberos headers, so we install with --ignore-scripts and replay the
# useful parts with Debian's ripgrep and libkrb5-dev instead.
#
# Usage: scripts/e2e/install-code-server.sh [DEST]
#   DEST defaults to ${MALLOCLENS_CACHE:-$HOME/.cache/malloclens}/code-server-4.100.3.
#   Prints the entry point (DEST/node_modules/code-server/out/node/entry.js) on stdout; all progress
#   goes to stderr, so callers can do: entry=$(scripts/e2e/install-code-server.sh).
set -euo pipefail

# 4.100.3 is the newest code-server whose engines.node is 20 (4.103 needs 22).
readonly CS_VERSION=4.100.3
readonly DEST="${1:-${MALLOCLENS_CACHE:-$HOME/.cache/malloclens}/code-server-$CS_VERSION}"
readonly MARKER="$DEST/.malloclens-install-complete"
readonly ENTRY="$DEST/node_modules/code-server/out/node/entry.js"

log() { printf '[install-code-server] %s\n' "$*" >&2; }

# --- Debian packages ---------------------------------------------------------------------------
# libkrb5-dev + pkg-config: the 'kerberos' native module of VS Code's server builds against them.
# ripgrep: replaces the binary @vscode/ripgrep would download (workbench search needs it).
# chromium: the browser playwright-core drives (playwright cannot download its own here).
# fonts-dejavu-core: without any font, screenshots show boxes instead of text.
# g++/make/python3: node-gyp rebuilds of the native modules (normally present already).
install_debian_packages() {
  local wanted=(libkrb5-dev pkg-config ripgrep chromium fonts-dejavu-core)
  command -v g++ >/dev/null || wanted+=(g++)
  command -v make >/dev/null || wanted+=(make)
  command -v python3 >/dev/null || wanted+=(python3)
  local missing=() pkg
  for pkg in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    log "Debian packages present: ${wanted[*]}"
    return
  fi
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages (${missing[*]}) and not root: install them and rerun"
    exit 1
  fi
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# --- code-server -------------------------------------------------------------------------------
install_code_server() {
  if [[ -f "$MARKER" && -f "$ENTRY" ]]; then
    log "code-server $CS_VERSION already installed in $DEST"
    return
  fi
  # Build in a sibling staging dir and rename at the end: an interrupted run never leaves a DEST
  # that looks usable. Paths inside node_modules are relative, so the rename is safe.
  local stage="$DEST.partial"
  # Only ever delete what this script made: DEST may be a path the caller typed.
  if [[ -e "$DEST" && ! -e "$DEST/node_modules/code-server" ]] && [[ -n "$(ls -A "$DEST" 2>/dev/null)" ]]; then
    log "$DEST exists and is not a code-server install; refusing to replace it"
    exit 1
  fi
  rm -rf "$stage" "$DEST"
  mkdir -p "$stage"
  log "installing code-server $CS_VERSION into $stage (takes a few minutes)"

  # No npm_config_unsafe_perm: npm >= 7 runs scripts as root anyway and npm 11 warns about it.
  # node-pty's build script calls 'npx node-gyp', which would stop to ask without this.
  export npm_config_yes=true
  export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

  (
    cd "$stage"
    echo '{"name":"malloclens-code-server","private":true}' >package.json
    log "npm install code-server@$CS_VERSION --ignore-scripts"
    npm install --ignore-scripts --no-package-lock code-server@"$CS_VERSION" >&2
    # argon2 is code-server's own native module (password hashing; loaded even with --auth none).
    log "npm rebuild argon2"
    npm rebuild argon2 >&2

    cd node_modules/code-server/lib/vscode
    log "installing VS Code server dependencies (--ignore-scripts)"
    npm install --omit=dev --ignore-scripts >&2
    # Debian's rg stands in for the binary @vscode/ripgrep's postinstall would download.
    mkdir -p node_modules/@vscode/ripgrep/bin
    ln -sf /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg
    # Builds the native modules (node-pty, spdlog, kerberos, ...). @vscode/ripgrep's own script
    # would still try a download; its bin/rg already exists, so its script skips that.
    log "npm rebuild (native modules of the VS Code server)"
    npm rebuild >&2
    # The server loads some modules from node_modules.asar in packaged builds.
    ln -sfn node_modules node_modules.asar
    # Names the packaged release would have, looked up by the server's terminal/CLI helpers.
    (cd bin/remote-cli && ln -sf code-linux.sh code-server)
    (cd bin/helpers && ln -sf browser-linux.sh browser.sh)
    # Built-in extensions (git, typescript language features, ...) have their own dependencies.
    log "installing built-in extensions' dependencies"
    (cd extensions && npm install --omit=dev >&2)
  )

  mv "$stage" "$DEST"
  echo "$CS_VERSION" >"$MARKER"
  log "code-server $CS_VERSION installed in $DEST"
}

start=$SECONDS
install_debian_packages
install_code_server
log "done in $((SECONDS - start))s"
echo "$ENTRY"
