# Shared by scripts/demo.sh and scripts/test.sh: install what is missing, then build.
# shellcheck shell=bash

OTASIGN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Debian 12 packages otasign needs to build, test and demo. Nothing else is downloaded.
OTASIGN_PACKAGES=(
  build-essential cmake pkg-config git
  libssl-dev openssl libcli11-dev nlohmann-json3-dev libvalijson-dev catch2
  libp11-kit-dev p11-kit libykpiv-dev ykcs11 yubico-piv-tool
  opensc opensc-pkcs11 softhsm2 pcscd libpcsclite-dev vsmartcard-vpcd
  tmux jq nodejs util-linux procps iproute2 time python3 python3-cryptography strace
  clang-format clang libclang-rt-14-dev
  help2man dpkg-dev
)

# Each line carries the seconds since the outermost script started (child scripts share the
# start), so a CI log shows where its time goes.
export OTASIGN_T0=${OTASIGN_T0:-$(date +%s)}
log() { printf '==> [%5ss] %s\n' "$(($(date +%s) - OTASIGN_T0))" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

install_missing_packages() {
  local missing=() pkg
  for pkg in "${OTASIGN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  # nodejs may come from elsewhere (the machine's own node); only the command matters.
  if command -v node >/dev/null 2>&1; then
    local kept=()
    for pkg in "${missing[@]}"; do [ "$pkg" = nodejs ] || kept+=("$pkg"); done
    missing=("${kept[@]}")
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing missing Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "need root or sudo to install: ${missing[*]}"
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

OTASIGN_CI_FLAGS="-O2 -g1 -DNDEBUG"

# build DIR [cmake options...]: configure and build otasign into DIR.
build_otasign() {
  local dir=$1; shift
  local launcher=()
  # A developer's ccache (if installed) makes rebuilds across worktrees cheap; CI has none.
  if command -v ccache >/dev/null 2>&1; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
  # Line tables (-g1), not full debug information: backtraces and sanitizer reports still name
  # file:line, and the template-heavy sources compile in half the time (cli/cmd_policy.cpp:
  # 21.6 s of CPU with -g, 11.4 s with -g1; -O1 gained nothing over -O2).
  # /usr: the prefix a .deb installs to, compiled into otasign (where its roots are).
  cmake -S "$OTASIGN_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOTASIGN_WERROR=ON \
    -DCMAKE_INSTALL_PREFIX=/usr \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$OTASIGN_CI_FLAGS" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$OTASIGN_CI_FLAGS" \
    "${launcher[@]}" "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}
