#!/usr/bin/env bash
# npm run package:pacman — builds the Arch packages braid and braid-server into out/pacman/
# from the current tree with makepkg, as an unprivileged user. Works on Arch and on Debian
# (makepkg + pacman-package-manager + fakeroot + libarchive-tools + zstd).
#   BRAID_SKIP_BUILD=1   do not run `npm run build` first (the caller just did)
#   BRAID_BUILD_USER     the user makepkg runs as when this runs as root (default braidbuild,
#                        created as a system user if missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/out/pacman

for tool in makepkg fakeroot bsdtar zstd node; do
  command -v "$tool" >/dev/null || { echo "package-pacman: $tool is missing (see build/deps.sh)" >&2; exit 1; }
done
[ "${BRAID_SKIP_BUILD:-}" = 1 ] || (cd "$root" && npm run --silent build)
node "$root/build/package-stage.mjs" --out "$root/out/stage"

# pkgver and the Electron major come from package.json (pkgver may not contain '-')
read -r version electron_major < <(node -e '
  const p = require(process.argv[1]);
  const spec = (p.devDependencies || {}).electron || (p.dependencies || {}).electron;
  const major = /(\d+)/.exec(spec || "");
  if (!major) { console.error("package.json names no electron version"); process.exit(1); }
  console.log(p.version.replace(/-/g, "_"), major[1]);' "$root/package.json")

work=$(mktemp -d /tmp/braid-makepkg.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

# the source tarball: the staged tree plus the packaging files, owned by root, sorted
tree=$work/tree/braid-$version
mkdir -p "$tree/files"
cp -r "$root/out/stage/runtime" "$root/out/stage/app.asar" "$root/out/stage/braid_native.node" "$tree/"
cp "$root/LICENSE" "$tree/"
for dir in arch systemd sysusers tmpfiles sysctl polkit desktop icons; do cp -r "$root/build/$dir" "$tree/files/"; done
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}
tar -C "$work/tree" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
  -czf "$work/braid-$version.tar.gz" "braid-$version"
rm -rf "$work/tree"

sum=$(sha256sum "$work/braid-$version.tar.gz" | cut -d' ' -f1)
sed -e "s/^pkgver=.*/pkgver=$version/" -e "s/^_electron=.*/_electron=electron$electron_major/" \
  -e "s/^sha256sums=.*/sha256sums=('$sum')/" "$root/build/arch/PKGBUILD" >"$work/PKGBUILD"
cp "$root/build/arch/braid.install" "$root/build/arch/braid-server.install" "$work/"
mkdir -p "$work/pkg-out"

path=$PATH
if [ ! -e /var/lib/pacman/local/ALPM_DB_VERSION ]; then
  # Debian: no pacman database, and makepkg lists the installed packages in .BUILDINFO with
  # pacman -Q. Give it an empty database of its own instead of touching the system's.
  mkdir -p "$work/alpm/local" "$work/bin"
  echo 9 >"$work/alpm/local/ALPM_DB_VERSION"
  printf '#!/bin/sh\nexec %s --dbpath %s "$@"\n' "$(command -v pacman)" "$work/alpm" >"$work/bin/pacman"
  chmod 755 "$work/bin/pacman"
  path=$work/bin:$PATH
fi
makepkg_env=(HOME="$work" PATH="$path" PKGDEST="$work/pkg-out" SRCDEST="$work" BUILDDIR="$work/build"
  PKGEXT=.pkg.tar.zst SOURCE_DATE_EPOCH="$epoch" PACKAGER="${PACKAGER:-Braid build <braid@localhost>}")
makepkg_args=(--nodeps --noconfirm --force --cleanbuild --noprogressbar)
if [ "$(id -u)" -eq 0 ]; then
  # makepkg refuses to run as root
  user=${BRAID_BUILD_USER:-braidbuild}
  id -u "$user" >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
  chown -R "$user:" "$work"
  (cd "$work" && runuser -u "$user" -- env "${makepkg_env[@]}" makepkg "${makepkg_args[@]}")
else
  (cd "$work" && env "${makepkg_env[@]}" makepkg "${makepkg_args[@]}")
fi

rm -rf "$out"
mkdir -p "$out"
cp "$work"/pkg-out/*.pkg.tar.zst "$work/PKGBUILD" "$out/"
ls -l "$out"/*.pkg.tar.zst
