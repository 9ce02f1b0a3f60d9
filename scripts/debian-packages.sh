#!/usr/bin/env bash
# Downloads Debian packages for an architecture and unpacks each into a cache folder,
# without installing anything on this machine:
#   scripts/debian-packages.sh ARCH PACKAGE...    (ARCH: amd64, arm64, armhf)
# prints, one per line, the folder each package was unpacked into:
#   cache/debian/ARCH/root/PACKAGE
# Metapackages (linux-image-amd64) are followed to the package they depend on, whose
# unpacked folder is printed under the metapackage's name too (a symlink).
# Foreign architectures use a private apt state (own lists and status) so the host's dpkg
# never learns of them. Re-runs reuse what is cached.
set -euo pipefail
arch=$1; shift
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/cache/debian/$arch
mkdir -p "$cache/debs" "$cache/root" "$cache/apt/lists/partial" "$cache/apt/archives/partial"

apt_opts=()
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
  apt_opts=(-o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
    -o "Dir::State::Lists=$cache/apt/lists" -o "Dir::State::status=/dev/null"
    -o "Dir::Cache=$cache/apt" -o "Debug::NoLocking=1")
  if [ ! -e "$cache/apt/lists/.updated" ]; then
    apt-get "${apt_opts[@]}" update -qq >&2
    touch "$cache/apt/lists/.updated"
  fi
fi

for pkg in "$@"; do
  dest=$cache/root/$pkg
  if [ ! -e "$dest/.unpacked" ] && [ ! -L "$dest" ]; then
    real=$pkg
    # Follow a metapackage (no files of its own) to its one versioned dependency.
    case "$pkg" in
      linux-image-*-amd64|linux-image-amd64|linux-image-arm64|linux-image-armmp|linux-image-*-arm64)
        dep=$(apt-cache "${apt_opts[@]}" depends "$pkg" 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
        [ -n "$dep" ] && real=$dep ;;
    esac
    (cd "$cache/debs" && ls "${real}"_*.deb >/dev/null 2>&1 || apt-get "${apt_opts[@]}" download "$real" >&2)
    deb=$(ls "$cache/debs/${real}"_*.deb | head -n1)
    rdest=$cache/root/$real
    if [ ! -e "$rdest/.unpacked" ]; then
      rm -rf "$rdest"; mkdir -p "$rdest"
      dpkg -x "$deb" "$rdest"
      dpkg-deb -f "$deb" Version > "$rdest/.version"
      touch "$rdest/.unpacked"
    fi
    [ "$real" != "$pkg" ] && ln -sfn "$real" "$dest"
  fi
  echo "$dest"
done
