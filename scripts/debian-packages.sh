#!/usr/bin/env bash
# Downloads Debian packages for an architecture and unpacks each into a cache folder,
# without installing anything on this machine:
#   scripts/debian-packages.sh ARCH PACKAGE...    (ARCH: amd64, arm64, armhf)
# prints, one per line, the folder each package was unpacked into:
#   cache/debian/ARCH/root/PACKAGE
# (KEXEC_MENU_DEBIAN_CACHE replaces cache/debian, for the script's own test).
# Metapackages (linux-image-amd64) are followed to the package they depend on, whose
# unpacked folder is printed under the metapackage's name too (a symlink).
# Foreign architectures use a private apt state (own lists and status) so the host's dpkg
# never learns of them. Re-runs reuse what is cached, once it is checked whole.
#
# Several test processes call this at once on a fresh machine: one lock per architecture
# serialises them, and each package is unpacked into a temporary folder that is renamed
# into place only when complete, so nobody ever sees a half-unpacked tree.
set -euo pipefail
arch=$1; shift
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${KEXEC_MENU_DEBIAN_CACHE:-$top/cache/debian}/$arch
mkdir -p "$cache/debs" "$cache/root" "$cache/apt/lists/partial" "$cache/apt/archives/partial"

exec 9>"$cache/.lock"
flock 9

apt_opts=()
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
  apt_opts=(-o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
    -o "Dir::State::Lists=$cache/apt/lists" -o "Dir::State::status=/dev/null"
    -o "Dir::Cache=$cache/apt" -o "Debug::NoLocking=1")
  # The lists are whole when apt finished an update and every Packages file it fetched is
  # still there.
  if [ ! -e "$cache/apt/lists/.updated" ] || ! compgen -G "$cache/apt/lists/*_Packages*" >/dev/null; then
    rm -f "$cache/apt/lists/.updated"
    # A mirror caught mid-sync fails one index (seen: bookworm-security's armhf list) and
    # apt exits non-zero; the lists it did fetch still serve, so only none at all is fatal.
    if ! apt-get "${apt_opts[@]}" update -qq >&2; then
      compgen -G "$cache/apt/lists/*_Packages*" >/dev/null || { echo "debian-packages.sh: apt-get update for $arch fetched no package list" >&2; exit 1; }
      echo "debian-packages.sh: some $arch package lists failed to download; using those that did" >&2
    fi
    touch "$cache/apt/lists/.updated"
  fi
fi

# Sizes and paths of every regular file in an unpacked tree, without our own dot-files.
listing() { (cd "$1" && find . -path './.*' -prune -o -type f -printf '%s %P\n' | LC_ALL=C sort); }

# An unpacked tree is whole when every file of its manifest is there with its size (files
# added later, such as depmod's modules.dep, do not matter).
whole() {
  [ -e "$1/.unpacked" ] && [ -f "$1/.manifest" ] &&
    [ -z "$(LC_ALL=C comm -23 "$1/.manifest" <(listing "$1"))" ]
}

download() { (cd "$cache/debs" && apt-get "${apt_opts[@]}" download "$1" >&2); }

unpack() {
  local real=$1 rdest=$2 deb tmp
  deb=$(compgen -G "$cache/debs/${real}_*.deb" | head -n1 || true)
  if [ -z "$deb" ] || ! dpkg-deb --fsys-tarfile "$deb" >/dev/null 2>&1; then
    # Missing or damaged: fetch it (again).
    [ -z "$deb" ] || rm -f "$deb"
    download "$real"
    deb=$(compgen -G "$cache/debs/${real}_*.deb" | head -n1)
  fi
  tmp=$(mktemp -d "$cache/root/.unpack.XXXXXX")
  dpkg -x "$deb" "$tmp"
  dpkg-deb -f "$deb" Version > "$tmp/.version"
  listing "$tmp" > "$tmp/.manifest"
  touch "$tmp/.unpacked"
  rm -rf "$rdest"
  mv "$tmp" "$rdest"
}

for pkg in "$@"; do
  dest=$cache/root/$pkg
  real=$pkg
  if [ -L "$dest" ]; then
    real=$(readlink "$dest")
  else
    # Follow a metapackage (no files of its own) to its one versioned dependency.
    case "$pkg" in
      linux-image-*-amd64|linux-image-amd64|linux-image-arm64|linux-image-armmp|linux-image-*-arm64)
        dep=$(apt-cache "${apt_opts[@]}" depends "$pkg" 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
        [ -n "$dep" ] && real=$dep ;;
    esac
  fi
  rdest=$cache/root/$real
  whole "$rdest" || unpack "$real" "$rdest"
  [ "$real" != "$pkg" ] && ln -sfn "$real" "$dest"
  echo "$dest"
done
