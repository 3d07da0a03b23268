#!/usr/bin/env bash
# Installs the real editors that the end-to-end tests drive, into a private cache folder:
#   - Neovim 0.10 and Helix 25 from Debian 13 (trixie), Emacs 30 (eglot built in) from Debian 13,
#     each with its whole library closure (trixie's own libc and loader included) in its own folder;
#     the main binary is re-pointed at that loader and those libraries with patchelf, so nothing of
#     trixie touches the system and child processes (language servers) run with the system's libc;
#   - tmux (to drive Helix) and patchelf from the system's own Debian packages (apt-get install).
# The trixie packages come through a private apt configuration (own sources.list, state and cache
# folders under the cache folder); the system's apt sources are never changed.
#
# Writes wrappers to CACHE/bin/{nvim,hx,emacs,tmux} that the tests call, prints that folder last and
# writes its path to test/e2e/.editors-bin. Idempotent: an editor whose stamp matches and whose
# wrapper answers --version is left alone, so a second run takes about a second.
#
# Cache folder: $OPENCODE_LSP_E2E_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/opencode-lsp-e2e.
# Debian mirror: $OPENCODE_LSP_E2E_DEBIAN_MIRROR, else the one the system's apt sources use.
# Usage: bash test/e2e/install-editors.sh [--force]     (--force reinstalls everything)
set -euo pipefail

# Bump when the way an editor is laid out or wrapped changes: stamps with another recipe reinstall.
RECIPE=2

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -n "${OPENCODE_LSP_E2E_CACHE:-}" ]; then
  CACHE="$OPENCODE_LSP_E2E_CACHE"
elif [ -n "${XDG_CACHE_HOME:-}" ]; then
  CACHE="$XDG_CACHE_HOME/opencode-lsp-e2e"
elif [ -n "${HOME:-}" ]; then
  CACHE="$HOME/.cache/opencode-lsp-e2e"
else
  CACHE="/var/cache/opencode-lsp-e2e"
fi
BIN="$CACHE/bin"
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

exec 4>&1
say() { printf 'install-editors: %s\n' "$*" >&4; }
REASON=""
why() { REASON="$*"; return 1; } # record why an install step failed
fail_editor() { # editor, reason
  printf 'install-editors: FAILED to install %s: %s\n' "$1" "$2" >&2
  FAILED+=("$1")
}
FAILED=()
start=$(date +%s)

mkdir -p "$CACHE" "$BIN"
CACHE="$(cd "$CACHE" && pwd)"
BIN="$CACHE/bin"

# One installer at a time per cache folder.
exec 9>"$CACHE/.lock"
if ! flock -w 600 9; then
  say "another install holds $CACHE/.lock for more than 10 minutes" >&2
  exit 1
fi

# ---------------------------------------------------------------------------------------------
# System packages (Debian 12's own): tmux, patchelf.
SYS_UPDATED=0
sys_install() { # package...
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    why "needs root to apt-get install ${missing[*]} (or install them yourself)"; return 1
  fi
  say "apt-get install ${missing[*]} (system)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
    if [ $SYS_UPDATED = 0 ]; then
      say "apt-get update (system)"
      apt-get update -qq >/dev/null 2>&1 || true
      SYS_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 \
      || { why "apt-get install ${missing[*]} failed"; return 1; }
  fi
}

if ! command -v patchelf >/dev/null 2>&1; then
  if ! sys_install patchelf; then
    echo "install-editors: FAILED: patchelf (needed to run the trixie editors): $REASON" >&2
    exit 1
  fi
fi

# ---------------------------------------------------------------------------------------------
# Private apt configuration for Debian 13 (trixie).
APTDIR="$CACHE/apt"
mirror() {
  if [ -n "${OPENCODE_LSP_E2E_DEBIAN_MIRROR:-}" ]; then echo "$OPENCODE_LSP_E2E_DEBIAN_MIRROR"; return; fi
  local m=""
  # deb822 sources first (URIs: lines), then one-line sources; the archive, not the security one.
  m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/{for(i=2;i<=NF;i++) print $i}' \
      | grep -E '/debian/?$' | grep -v -- '-security' | head -n1 || true)
  if [ -z "$m" ]; then
    m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -E '^deb ' \
        | sed -E 's/\[[^]]*\]//' | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}
APT_OPTS=()
APT_READY=0
APT_FAILED=""
apt_private_setup() {
  [ $APT_READY = 1 ] && return 0
  [ -n "$APT_FAILED" ] && { why "$APT_FAILED"; return 1; }
  local m keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  m="$(mirror)"
  mkdir -p "$APTDIR/state/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/etc/sources.list.d" \
           "$APTDIR/etc/preferences.d" "$APTDIR/etc/trusted.gpg.d"
  : >"$APTDIR/state/status"
  if [ -f "$keyring" ]; then
    echo "deb [signed-by=$keyring] ${m%/} trixie main" >"$APTDIR/etc/sources.list"
  else
    echo "deb ${m%/} trixie main" >"$APTDIR/etc/sources.list"
  fi
  APT_OPTS=(
    -o "Dir::State=$APTDIR/state" -o "Dir::State::status=$APTDIR/state/status"
    -o "Dir::Cache=$APTDIR/cache"
    -o "Dir::Etc::SourceList=$APTDIR/etc/sources.list" -o "Dir::Etc::SourceParts=$APTDIR/etc/sources.list.d"
    -o "Dir::Etc::Preferences=$APTDIR/etc/preferences" -o "Dir::Etc::PreferencesParts=$APTDIR/etc/preferences.d"
    -o "APT::Architecture=amd64" -o "APT::Architectures=amd64"
    -o "APT::Install-Recommends=false" -o "APT::Install-Suggests=false"
  )
  [ "$(id -u)" = 0 ] && APT_OPTS+=(-o "APT::Sandbox::User=root")
  say "apt-get update (private, Debian 13 trixie from ${m%/})"
  rm -f "$APTDIR"/state/lists/*_Packages* 2>/dev/null || true
  # apt-get update exits 0 on some fetch failures: the trixie package list must be there after it.
  if ! apt-get "${APT_OPTS[@]}" update -qq >"$APTDIR/update.log" 2>&1 \
     || ! ls "$APTDIR"/state/lists/*trixie*_Packages* >/dev/null 2>&1; then
    cat "$APTDIR/update.log" >&2
    APT_FAILED="could not fetch Debian 13 (trixie) package lists from ${m%/} (apt-get update, log above)"
    why "$APT_FAILED"; return 1
  fi
  APT_READY=1
}

# The packages (name=version) that installing PKGS on an empty trixie system brings: the closure.
apt_closure() {
  apt-get "${APT_OPTS[@]}" -s install "$@" 2>&1 | awk '
    /^Inst / { v=$3; sub(/^\(/, "", v); print $2 "=" v; next }
    /^E: / { print > "/dev/stderr"; bad=1 }
    END { exit bad }'
}

# install_trixie EDITOR ROOT_MAIN_BINARY PACKAGE...: fetch the closure into CACHE/EDITOR/root, patch
# the main binary (path relative to root) to trixie's loader and libraries.
install_trixie() {
  local ed="$1" main="$2"; shift 2
  local dir="$CACHE/$ed" root="$CACHE/$ed/root" debs="$CACHE/$ed/debs" closure
  apt_private_setup || return 1
  closure="$(apt_closure "$@")" || { why "apt cannot resolve $* in trixie"; return 1; }
  [ -n "$closure" ] || { why "apt resolved nothing for $*"; return 1; }
  say "$ed: downloading $(echo "$closure" | wc -l) trixie packages ($*)"
  rm -rf "$root" "$debs" "$dir/stamp"
  mkdir -p "$root" "$debs"
  # shellcheck disable=SC2086
  if ! (cd "$debs" && apt-get "${APT_OPTS[@]}" download $closure >"$dir/download.log" 2>&1); then
    cat "$dir/download.log" >&2
    why "apt-get download from the trixie mirror failed"; return 1
  fi
  say "$ed: unpacking into $root"
  local f
  for f in "$debs"/*.deb; do dpkg-deb -x "$f" "$root" || { why "dpkg-deb -x $f failed"; return 1; }; done
  rm -rf "$debs"
  local ld="$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
  [ -e "$ld" ] || { why "trixie's loader missing after unpacking ($ld)"; return 1; }
  [ -f "$root/$main" ] || { why "binary $main missing after unpacking"; return 1; }
  # The real file (hx is a symlink to ../lib/hx/hx).
  local target
  target="$(readlink -f "$root/$main")"
  patchelf --set-interpreter "$ld" --force-rpath \
    --set-rpath "$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu" "$target" \
    || { why "patchelf on $target failed"; return 1; }
  echo "$closure" >"$dir/packages"
}

# write_wrapper NAME BODY: CACHE/bin/NAME, a /bin/sh script.
write_wrapper() {
  local name="$1" body="$2"
  printf '#!/bin/sh\n# Written by test/e2e/install-editors.sh (recipe %s).\n%s\n' "$RECIPE" "$body" >"$BIN/$name.new"
  chmod +x "$BIN/$name.new"
  mv -f "$BIN/$name.new" "$BIN/$name"
}

# cached EDITOR: the stamp matches this recipe and cache folder, and the wrapper answers --version.
cached() {
  local ed="$1" stamp="$CACHE/$1/stamp"
  [ $FORCE = 0 ] || return 1
  [ -f "$stamp" ] && [ -x "$BIN/$ed" ] || return 1
  [ "$(cat "$stamp")" = "recipe=$RECIPE cache=$CACHE" ] || return 1
  "$BIN/$ed" --version >/dev/null 2>&1
}
stamp() { echo "recipe=$RECIPE cache=$CACHE" >"$CACHE/$1/stamp"; }
first_line() { "$@" 2>&1 | head -n1; }

# ---------------------------------------------------------------------------------------------
do_nvim() {
  local root="$CACHE/nvim/root"
  install_trixie nvim usr/bin/nvim neovim neovim-runtime || return 1
  write_wrapper nvim "VIMRUNTIME='$root/usr/share/nvim/runtime'; export VIMRUNTIME
exec '$root/usr/bin/nvim' \"\$@\""
}
do_hx() {
  local root="$CACHE/hx/root"
  install_trixie hx usr/bin/hx hx || return 1
  local rt="$root/usr/lib/hx/runtime"
  [ -d "$rt" ] || rt="$root/usr/share/helix/runtime"
  [ -d "$rt" ] || { why "Helix runtime folder not found in the package"; return 1; }
  write_wrapper hx "HELIX_RUNTIME='$rt'; export HELIX_RUNTIME
exec '$(readlink -f "$root/usr/bin/hx")' \"\$@\""
}
do_emacs() {
  local root="$CACHE/emacs/root"
  install_trixie emacs usr/bin/emacs-nox emacs-nox || return 1
  local ver share libexec pdmp
  ver="$(cd "$root/usr/share/emacs" && printf '%s\n' [0-9]*.[0-9]* | sort -V | tail -n1)"
  [ -n "$ver" ] || { why "no /usr/share/emacs/VERSION in the package"; return 1; }
  share="$root/usr/share/emacs/$ver"
  libexec="$root/usr/libexec/emacs/$ver/x86_64-linux-gnu"
  pdmp="$(ls "$libexec"/*.pdmp 2>/dev/null | head -n1)"
  [ -n "$pdmp" ] || { why "no dump file (.pdmp) under $libexec"; return 1; }
  # Emacs finds its dump file next to the binary (its name + .pdmp), also when it starts itself.
  ln -sfn "../${pdmp#"$root/usr/"}" "$root/usr/bin/emacs-nox.pdmp"
  # Its Lisp and etc/ are looked for at the compiled-in /usr paths: point it here. Automatic (JIT)
  # native compilation is off: it would need trixie's gcc at /usr and only fail in the background.
  write_wrapper emacs "EMACSLOADPATH='$share/site-lisp:$root/usr/share/emacs/site-lisp:$share/lisp'
EMACSDATA='$share/etc'; EMACSDOC='$share/etc'; EMACSPATH='$libexec'
EMACS_INHIBIT_AUTOMATIC_NATIVE_COMPILATION=1
export EMACSLOADPATH EMACSDATA EMACSDOC EMACSPATH EMACS_INHIBIT_AUTOMATIC_NATIVE_COMPILATION
exec '$root/usr/bin/emacs-nox' \"\$@\""
}
do_tmux() {
  sys_install tmux || return 1
  ln -sfn "$(command -v tmux)" "$BIN/tmux"
}

for ed in nvim hx emacs; do
  if cached "$ed"; then
    say "$ed: cached ($(first_line "$BIN/$ed" --version))"
    continue
  fi
  t0=$(date +%s)
  mkdir -p "$CACHE/$ed"
  REASON=""
  if ! "do_$ed"; then
    fail_editor "$ed" "${REASON:-see the messages above}"
    continue
  fi
  if ! out="$("$BIN/$ed" --version 2>&1)"; then
    echo "$out" >&2
    fail_editor "$ed" "installed, but '$BIN/$ed --version' fails (output above)"
    continue
  fi
  stamp "$ed"
  say "$ed: installed $(echo "$out" | head -n1) in $(( $(date +%s) - t0 ))s"
done

if [ -x "$BIN/tmux" ] && [ $FORCE = 0 ] && "$BIN/tmux" -V >/dev/null 2>&1; then
  say "tmux: cached ($("$BIN/tmux" -V))"
elif REASON="" && do_tmux; then
  say "tmux: ready ($("$BIN/tmux" -V), system package)"
else
  fail_editor tmux "${REASON:-apt-get install tmux failed}"
fi

if [ ${#FAILED[@]} -gt 0 ]; then
  echo "install-editors: FAILED: ${FAILED[*]} (cache $CACHE)" >&2
  exit 1
fi
echo "$BIN" >"$here/.editors-bin"
say "done in $(( $(date +%s) - start ))s; wrappers in:"
echo "$BIN"
