#!/usr/bin/env bash
# Sets Braid up from this source tree on a Debian or Arch machine: system packages, npm
# dependencies (which build the native addon), and the TypeScript/renderer build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "build/setup.sh installs system packages: run it as root (sudo bash build/setup.sh)" >&2
  exit 1
fi
bash build/deps.sh
export ELECTRON_SKIP_BINARY_DOWNLOAD=1 # Arch's system electronNN or an AppImage provides Electron
npm ci --no-audit --no-fund
npm run build
echo "Braid is built. Start it with: sudo npm start   (or try the three-link lab: sudo npm run demo)"
