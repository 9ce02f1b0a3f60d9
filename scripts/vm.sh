#!/usr/bin/env bash
# `npm run vm [-- ARCH] [-- extra kernel options]`: boots the image (npm run image) in QEMU
# with the sample disks (npm run disks) attached read-only and the serial console on this
# terminal. Software emulation: the menu appears after 10-20 s. Leave QEMU with Ctrl-A X.
#   npm run vm                          x86_64, disks gpt.img, extlinux.ext4, rpi-boot.vfat
#   npm run vm -- arm64                 arm64 virt, disk arm64-virt.ext4 (kexec-tools + DTB)
#   npm run vm -- amd64 kexec_menu.timeout=-1   extra kernel command line options
# The QEMU monitor is on a unix socket, for hot-plugging a disk while the menu runs:
#   socat - UNIX-CONNECT:cache/vm-monitor.sock
#   (qemu) drive_add 0 if=none,id=d9,file=cache/disks/esp.vfat,format=raw,readonly=on
#   (qemu) device_add virtio-blk-pci,drive=d9
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
arch=amd64
if [ "${1:-}" = amd64 ] || [ "${1:-}" = arm64 ]; then arch=$1; shift; fi
image=$top/cache/image/$arch
disks=$top/cache/disks
for f in "$image/vmlinuz" "$image/initramfs.cpio.gz"; do
  [ -f "$f" ] || { echo "vm.sh: $f is missing: run npm run image${arch/amd64/}${arch/arm64/ -- arm64}" >&2; exit 1; }
done
drive() {
  [ -f "$disks/$1" ] || { echo "vm.sh: $disks/$1 is missing: run npm run disks" >&2; exit 1; }
  echo "-drive file=$disks/$1,format=raw,if=virtio,readonly=on"
}
monitor=$top/cache/vm-monitor.sock
rm -f "$monitor"
common=(-m 1024 -smp 1 -nographic -no-reboot -net none -monitor "unix:$monitor,server=on,wait=off"
  -kernel "$image/vmlinuz" -initrd "$image/initramfs.cpio.gz")
if [ "$arch" = amd64 ]; then
  # shellcheck disable=SC2046 # drive() prints separate words on purpose
  exec qemu-system-x86_64 -M pc -cpu qemu64,+rdrand "${common[@]}" \
    -append "console=ttyS0,115200 panic=-1 quiet $*" \
    $(drive gpt.img) $(drive extlinux.ext4) $(drive rpi-boot.vfat)
else
  # shellcheck disable=SC2046
  exec qemu-system-aarch64 -M virt -cpu cortex-a57 -device virtio-rng-pci "${common[@]}" \
    -append "console=ttyAMA0,115200 panic=-1 quiet $*" \
    $(drive arm64-virt.ext4)
fi
