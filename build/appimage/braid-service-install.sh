#!/bin/sh
# Installs or removes the Braid engine as a system service, for the AppImage. The app's
# "Install the Braid service" action runs it as root through pkexec. The engine cannot run
# from inside the AppImage: the AppImage is a FUSE mount that only its user can read and that
# vanishes when the app quits. So the engine, the addon and a launcher are copied to
# /opt/braid and braidd.service (the same hardened unit as the Arch package's) runs them with
# the system Node.
#
# usage: braid-service-install.sh install   [--source DIR] [--root DIR] [--node PATH] [--no-start]
#        braid-service-install.sh uninstall [--root DIR] [--no-start] [--purge]
#        braid-service-install.sh status    [--root DIR]
#   --source DIR  the AppImage's resources directory, copied out of the AppImage by the app
#                 (default: this script's directory): engine/, braid_native.node, service/
#   --root DIR    work on DIR instead of / (tests, images): nothing is started or stopped,
#                 the unit is enabled/disabled offline (systemctl --root); users and runtime
#                 directories are created when DIR boots (systemd-sysusers, systemd-tmpfiles)
#   --node PATH   the Node.js (20 or newer) that runs the engine (default: node on PATH)
#   --no-start    only files (and users): do not enable, start, stop or disable the unit
#   --purge       uninstall also deletes /var/lib/braid (the engine's saved state)
# Uninstall keeps /etc/braid (your config) and the braidd user and braid group.
# Exit codes: 0 done (status: installed), 1 error, 2 usage, 3 status: not installed.
set -eu

PREFIX=/opt/braid
UNIT=braidd.service
MIN_NODE=20

die() { echo "braid-service-install: $*" >&2; exit 1; }
usage() { sed -n '/^# usage:/,/^# Exit codes/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 1 ] || usage
action=$1
shift
source_dir=$(cd "$(dirname "$0")" && pwd)
root=/
node=
start=yes
purge=no
while [ $# -gt 0 ]; do
  case $1 in
    --source) [ $# -ge 2 ] || usage; source_dir=$2; shift 2 ;;
    --root) [ $# -ge 2 ] || usage; root=$2; shift 2 ;;
    --node) [ $# -ge 2 ] || usage; node=$2; shift 2 ;;
    --no-start) start=no; shift ;;
    --purge) purge=yes; shift ;;
    *) usage ;;
  esac
done
case $action in install | uninstall | status) ;; *) usage ;; esac
[ -d "$root" ] || die "--root $root is not a directory"
root=$(cd "$root" && pwd)
live=no
[ "$root" = / ] && live=yes
# R is prepended to every path written; "" for the running system
R=${root%/}

# files outside $PREFIX that install creates and uninstall removes
UNIT_FILE=/etc/systemd/system/$UNIT
SYSUSERS_FILE=/etc/sysusers.d/braid.conf
TMPFILES_FILE=/etc/tmpfiles.d/braid.conf
SYSCTL_FILE=/etc/sysctl.d/90-braid.conf

installed_version() {
  [ -f "$R$PREFIX/package.json" ] || return 1
  sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$R$PREFIX/package.json" | head -n 1
}

if [ "$action" = status ]; then
  if version=$(installed_version); then
    state=offline
    [ "$live" = yes ] && state=$(systemctl is-active "$UNIT" 2>/dev/null || true)
    echo "installed $version in $PREFIX ($UNIT: $state)"
    exit 0
  fi
  echo "not installed"
  exit 3
fi

if [ "$live" = yes ] && [ "$(id -u)" -ne 0 ]; then
  die "must run as root (the app runs it through pkexec)"
fi

write_launcher() { # file, comment, entry script (relative to $PREFIX)
  {
    echo '#!/bin/sh'
    echo "# $2 (installed from the Braid AppImage)"
    echo "export BRAID_NATIVE_ADDON=$PREFIX/braid_native.node"
    echo "exec $node $PREFIX/$3 \"\$@\""
  } >"$1"
  chmod 755 "$1"
}

do_install() {
  for f in engine/package.json engine/dist/electron/engine/braidd.js engine/dist/electron/cli/braid.js \
    braid_native.node service/braidd.service service/sysusers.conf service/tmpfiles.conf service/sysctl.conf; do
    [ -e "$source_dir/$f" ] || die "$source_dir/$f is missing: --source must be the AppImage's resources directory"
  done
  if [ -e "$R/usr/lib/systemd/system/$UNIT" ]; then
    die "$UNIT is already installed by your distribution's braid package; use that one"
  fi

  # the engine runs outside /home (ProtectHome=yes) on Node >= $MIN_NODE
  [ -n "$node" ] || node=$(command -v node || true)
  [ -n "$node" ] || die "Node.js $MIN_NODE or newer is needed to run the engine: install your distribution's nodejs package"
  case $node in /*) ;; *) die "--node must be an absolute path" ;; esac
  case $node in /home/* | /root/* | /run/user/*)
    die "$node is inside a home directory, which the service cannot see: install Node.js system-wide" ;;
  esac
  major=$("$node" -p 'process.versions.node.split(".")[0]' 2>/dev/null) || die "$node does not run"
  [ "$major" -ge "$MIN_NODE" ] || die "$node is Node.js $major; the engine needs $MIN_NODE or newer"

  # lay out the new tree beside the old one, then swap: a failed copy leaves the old intact
  staging=$R$PREFIX.new
  rm -rf "$staging"
  mkdir -p "$staging/bin"
  cp -R "$source_dir/engine/." "$staging/"
  cp "$source_dir/braid_native.node" "$staging/braid_native.node"
  find "$staging" -type d -exec chmod 755 {} +
  find "$staging" -type f -exec chmod 644 {} +
  chmod 755 "$staging/braid_native.node"
  write_launcher "$staging/bin/braidd" "Braid client engine, run by $UNIT" dist/electron/engine/braidd.js
  write_launcher "$staging/bin/braid" "braid command line" dist/electron/cli/braid.js
  [ "$(id -u)" -ne 0 ] || chown -R 0:0 "$staging"

  mkdir -p "$R/etc/systemd/system" "$R/etc/sysusers.d" "$R/etc/tmpfiles.d" "$R/etc/sysctl.d"
  sed "s#^ExecStart=/usr/bin/braidd #ExecStart=$PREFIX/bin/braidd #" "$source_dir/service/braidd.service" >"$staging/unit.tmp"
  grep -q "^ExecStart=$PREFIX/bin/braidd " "$staging/unit.tmp" || die "unexpected ExecStart in service/braidd.service"
  if [ "$live" = yes ] && [ "$start" = yes ]; then systemctl stop "$UNIT" 2>/dev/null || true; fi
  install -m 644 "$staging/unit.tmp" "$R$UNIT_FILE"
  rm -f "$staging/unit.tmp"
  install -m 644 "$source_dir/service/sysusers.conf" "$R$SYSUSERS_FILE"
  install -m 644 "$source_dir/service/tmpfiles.conf" "$R$TMPFILES_FILE"
  install -m 644 "$source_dir/service/sysctl.conf" "$R$SYSCTL_FILE"
  rm -rf "$R$PREFIX"
  mv "$staging" "$R$PREFIX"

  if [ "$live" = yes ]; then
    systemd-sysusers "$SYSUSERS_FILE"
    systemd-tmpfiles --create "$TMPFILES_FILE"
    sysctl -q -p "$SYSCTL_FILE" || echo "braid-service-install: could not apply $SYSCTL_FILE now; it applies at boot" >&2
    # the user who asked for the service may drive the engine (takes effect at next login)
    if [ -n "${PKEXEC_UID:-}" ] && user=$(id -nu "$PKEXEC_UID" 2>/dev/null) && [ "$PKEXEC_UID" -ne 0 ]; then
      usermod -a -G braid "$user" && echo "added $user to the braid group (log out and in again)"
    fi
    systemctl daemon-reload
    if [ "$start" = yes ]; then
      systemctl enable "$UNIT"
      systemctl restart "$UNIT"
    fi
  elif [ "$start" = yes ]; then
    systemctl --root="$root" enable "$UNIT"
  fi
  echo "installed Braid $(installed_version) in $PREFIX ($UNIT, node $node)"
}

do_uninstall() {
  if ! installed_version >/dev/null; then
    echo "Braid service is not installed in $PREFIX"
    return 0
  fi
  if [ "$start" = yes ]; then
    if [ "$live" = yes ]; then
      systemctl disable --now "$UNIT" || true
    else
      systemctl --root="$root" disable "$UNIT" || true
    fi
  fi
  rm -f "$R$UNIT_FILE" "$R$SYSUSERS_FILE" "$R$TMPFILES_FILE" "$R$SYSCTL_FILE"
  rm -rf "$R$PREFIX" "$R$PREFIX.new"
  [ "$purge" = no ] || rm -rf "$R/var/lib/braid"
  [ "$live" = no ] || systemctl daemon-reload
  echo "removed the Braid service from $PREFIX (kept /etc/braid and the braidd user and braid group)"
}

case $action in
  install) do_install ;;
  uninstall) do_uninstall ;;
esac
