#!/usr/bin/env bash
# System packages Braid needs to build, run and test on Debian (apt) or Arch (pacman).
set -euo pipefail
if command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends \
    iproute2 nftables iperf3 mptcpd openvpn openssl libssl-dev iputils-ping procps kmod \
    python3 make g++ pkg-config chromium fonts-dejavu-core \
    makepkg pacman-package-manager fakeroot libarchive-tools zstd systemd desktop-file-utils >/dev/null
elif command -v pacman >/dev/null; then
  pacman -S --needed --noconfirm iproute2 nftables iperf3 openvpn openssl iputils procps-ng \
    python make gcc pkgconf chromium base-devel desktop-file-utils libarchive zstd
else
  echo "unsupported distribution: install iproute2, nftables, openssl headers, a C compiler" >&2
  exit 1
fi
