#!/usr/bin/env bash
# npm run package:appimage — builds out/appimage/Braid-<version>-<arch>.AppImage with
# electron-builder and build/electron-builder.yml.
#
# electron-builder downloads the Electron binary and its AppImage tools from GitHub, so this
# only works on a machine that can reach GitHub. Where it cannot (CI here), the same resources
# directory is laid out by `node build/package-stage.mjs` (out/stage/appimage/resources) and
# checked by tests/packaging/appimage.test.ts.
#   BRAID_SKIP_BUILD=1   do not run `npm run build` first
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ "${BRAID_SKIP_BUILD:-}" = 1 ] || npm run --silent build
node build/package-stage.mjs --out out/stage
if ! npx --no-install electron-builder --linux AppImage --config build/electron-builder.yml --publish never; then
  echo "package-appimage: electron-builder failed. It downloads Electron and its AppImage tools from" >&2
  echo "GitHub, so the AppImage can only be built on a machine that reaches GitHub (docs/packaging.md)." >&2
  exit 1
fi
ls -l out/appimage/*.AppImage
