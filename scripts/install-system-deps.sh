#!/usr/bin/env bash
# Install the Debian 12 packages Switchboard needs (run as root). Idempotent and quiet when
# everything is already present; `apt-get update` runs only when something is missing.
set -euo pipefail

PACKAGES=(
  python3 python3-venv python3-dev gcc make       # the Python environment
  debootstrap zstd openssl procps iproute2 mount  # the dev PBX (sid chroot)
  baresip-core sip-tester sox                     # real SIP callers and audio tools for tests
  postgresql-15                                   # PostgreSQL, tested for real
  nodejs chromium                                 # console bundle (npm, esbuild) and browser tests
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Debian's nodejs has no npm (NodeSource's has): add Debian's npm only when the command is missing.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing Debian packages: ${missing[*]} (run as root, or install them yourself)" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
