#!/usr/bin/env bash
# `npm run disks`: sample disks for the VM, made without root (mkfs -d, mtools, sfdisk on a
# file, dd seek=). Every kernel on them is Debian's real kernel; every initrd is a tiny
# busybox-static archive whose /init prints
#     KEXEC-MENU-MARKER cmdline=<its /proc/cmdline>
# on the serial port and powers off, so a test can tell which entry booted, with which
# command line. Each entry's command line carries test.entry=NAME.
#
#   cache/disks/debian-root.ext4   Debian root file system: /boot with kernel, initrd, config
#                                  and grub.cfg as grub-mkconfig writes it (default entry,
#                                  "Advanced options" submenu with recovery mode)
#   cache/disks/esp.vfat           FAT32 EFI system partition with Boot Loader Spec entries
#                                  (systemd-boot layout: /loader, /<machine-id>/<version>/),
#                                  one whose kernel is missing and one with an arm64 kernel
#   cache/disks/gpt.img            GPT disk: partition 1 = esp.vfat, partition 2 = debian-root
#   cache/disks/extlinux.ext4      a partition with /extlinux/extlinux.conf (two labels)
#   cache/disks/rpi-boot.vfat      Raspberry Pi OS-style FAT boot partition (config.txt,
#                                  cmdline.txt, kernel8.img = Debian's arm64 Image, the
#                                  marker initrd, bcm2837-rpi-3-b-plus.dtb)
#   cache/disks/rpi-sd.img         an SD card (MBR) holding rpi-boot.vfat as partition 1
#   cache/disks/arm64-virt.ext4    for arm64 QEMU virt: extlinux entry with Debian's arm64
#                                  kernel and an fdt line naming the DTB QEMU's virt machine
#                                  dumps (kaslr-seed cleared, which kexec requires)
#   cache/disks/armhf-virt.ext4    for 32-bit ARM QEMU virt: extlinux entry with Debian's armmp
#                                  zImage, an armhf marker initrd and an fdt line naming the
#                                  DTB qemu-system-arm's virt machine dumps
#   cache/disks/dirty-journal.ext4 ext4 whose journal needs recovery (a plain read-only mount
#                                  writes to it), with an Arch-style /boot of loose kernels
#   cache/disks/SHA256SUMS         their hashes, to prove nothing wrote to them
# Identities (UUIDs, labels) are fixed, so tests can expect exact command lines.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/cache/disks
work=$top/cache/disks.work
rm -rf "$work"
mkdir -p "$out" "$work"
export MTOOLS_SKIP_CHECK=1

# Fixed identities.
ROOT_UUID=3f6a1c2e-8b4d-4e5f-9a7b-1c2d3e4f5a6b
ESP_VOLID=4B1D5E7A           # FAT volume id, shown as 4B1D-5E7A
EXTLINUX_UUID=7e2b9c41-0d3a-4f6e-8b15-92ac3d4e5f60
ARM64_UUID=a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d
ARMHF_UUID=b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e
DIRTY_UUID=d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6
RPI_VOLID=5A3C7E91
MACHINE_ID=6b1f3e2a9c8d4e7f8a0b1c2d3e4f5a6b
GPT_DISK_GUID=0d3b7e6a-2f1c-4b8e-9a5d-6c7e8f9a0b1c
ESP_PARTUUID=5c8e2a1f-3b7d-4e6a-9f0c-1d2e3f4a5b6c
ROOT_PARTUUID=8a7b6c5d-4e3f-4a1b-9c2d-0e1f2a3b4c5d

# --- Debian packages
amd=$(scripts/debian-packages.sh amd64 linux-image-amd64 busybox-static | tr '\n' ' ')
arm=$(scripts/debian-packages.sh arm64 linux-image-arm64 busybox-static | tr '\n' ' ')
read -r amd_kernel amd_busybox <<<"$amd"
read -r arm_kernel arm_busybox <<<"$arm"
armhf=$(scripts/debian-packages.sh armhf linux-image-armmp busybox-static | tr '\n' ' ')
read -r armhf_kernel armhf_busybox <<<"$armhf"
kernel_version() { find "$1/lib/modules" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | tail -n1; }
amd_kver=$(kernel_version "$amd_kernel")
arm_kver=$(kernel_version "$arm_kernel")
amd_vmlinuz=$amd_kernel/boot/vmlinuz-$amd_kver
arm_image=$arm_kernel/boot/vmlinuz-$arm_kver
armhf_kver=$(kernel_version "$armhf_kernel")
armhf_zimage=$armhf_kernel/boot/vmlinuz-$armhf_kver
rpi_dtb=$(find "$arm_kernel/usr/lib" -name bcm2837-rpi-3-b-plus.dtb | head -n1)
[ -n "$rpi_dtb" ] || { echo "disks.sh: no bcm2837-rpi-3-b-plus.dtb in $arm_kernel" >&2; exit 1; }

# --- marker initrds (one per architecture)
marker_initrd() {
  local busybox=$1 dest=$2
  local dir
  dir=$work/marker-$(basename "$dest")
  mkdir -p "$dir/bin" "$dir/proc" "$dir/dev" "$dir/sys" "$dir/etc"
  install -m 0755 "$busybox/bin/busybox" "$dir/bin/busybox"
  # A file only this initrd holds: the marker prints it, proving the initrd was loaded whole.
  echo "marker-initrd-$(basename "$dest" .img)" > "$dir/etc/kexec-menu-marker"
  cat > "$dir/init" <<'EOF'
#!/bin/busybox sh
# Marker kernel's init: say which command line this kernel got, then power off.
# Kernel messages off the console first: one printed while the line is written (the TSC
# calibration comes 2-3 s into the boot) would land inside it.
/bin/busybox dmesg -n 1
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t sysfs sysfs /sys
line="KEXEC-MENU-MARKER cmdline=$(/bin/busybox cat /proc/cmdline)"
# What the loader handed over besides the command line: a property only the device trees on
# the sample disks carry (scripts/disks.sh adds it; the running tree lacks it), and a file
# of this initrd.
dt=$(/bin/busybox cat /proc/device-tree/kexec-menu,from-disk 2>/dev/null | /bin/busybox tr -d '\000')
proof="KEXEC-MENU-PROOF dt=${dt:-none} initrd=$(/bin/busybox cat /etc/kexec-menu-marker)"
# Every serial port there is (x86 ttyS0, arm64 virt ttyAMA0, raspi3b's mini UART ttyS1):
# ports without a UART behind them refuse the write.
for tty in /dev/ttyS0 /dev/ttyS1 /dev/ttyAMA0; do
  [ -c "$tty" ] && { echo "$line"; echo "$proof"; } 2>/dev/null > "$tty"
done
/bin/busybox sync
/bin/busybox poweroff -f
EOF
  chmod 0755 "$dir/init"
  (cd "$dir" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9 -n > "$dest"
}
marker_initrd "$amd_busybox" "$work/initrd-amd64.img"
marker_initrd "$arm_busybox" "$work/initrd-arm64.img"
marker_initrd "$armhf_busybox" "$work/initrd-armhf.img"

# An ext4 image of a folder (mkfs.ext4 -d: no mount, no root), files owned by root.
mkext4() {
  local dir=$1 img=$2 uuid=$3 label=$4
  rm -f "$img"
  mkfs.ext4 -q -F -d "$dir" -U "$uuid" -L "$label" -E root_owner=0:0 -O ^metadata_csum_seed \
    -T default "$img" 64M >/dev/null
}
# A FAT image of a folder (mkfs.vfat on a file, then mtools copies the tree in).
mkvfat() {
  local dir=$1 img=$2 volid=$3 label=$4 fat=$5 size_kib=$6
  rm -f "$img"
  mkfs.vfat -C -F "$fat" -i "$volid" -n "$label" "$img" "$size_kib" >/dev/null
  (cd "$dir" && for f in *; do mcopy -s -p -m -i "$img" "$f" ::/; done)
}

# --- debian-root.ext4: a Debian 12 root with /boot and grub.cfg (grub-mkconfig's shape)
d=$work/debian-root
mkdir -p "$d/boot/grub" "$d/etc"
install -m 0644 "$amd_vmlinuz" "$d/boot/vmlinuz-$amd_kver"
install -m 0644 "$work/initrd-amd64.img" "$d/boot/initrd.img-$amd_kver"
install -m 0644 "$amd_kernel/boot/config-$amd_kver" "$d/boot/config-$amd_kver"
install -m 0644 "$amd_kernel/boot/System.map-$amd_kver" "$d/boot/System.map-$amd_kver"
ln -s "boot/vmlinuz-$amd_kver" "$d/vmlinuz"
ln -s "boot/initrd.img-$amd_kver" "$d/initrd.img"
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' > "$d/etc/os-release"
printf 'UUID=%s / ext4 errors=remount-ro 0 1\n' "$ROOT_UUID" > "$d/etc/fstab"
search="search --no-floppy --fs-uuid --set=root --hint-bios=hd0,gpt2 --hint-efi=hd0,gpt2 --hint-baremetal=ahci0,gpt2  $ROOT_UUID"
linux_entry() { # TITLE ID CMDLINE-EXTRA INDENT
  local i=$4
  cat <<EOF
${i}menuentry '$1' --class debian --class gnu-linux --class gnu --class os \$menuentry_id_option '$2' {
${i}	load_video
${i}	insmod gzio
${i}	if [ x\$grub_platform = xxen ]; then insmod xzio; insmod lzopio; fi
${i}	insmod part_gpt
${i}	insmod ext2
${i}	set root='hd0,gpt2'
${i}	if [ x\$feature_platform_search_hint = xy ]; then
${i}	  $search
${i}	else
${i}	  search --no-floppy --fs-uuid --set=root  $ROOT_UUID
${i}	fi
${i}	echo	'Loading Linux $amd_kver ...'
${i}	linux	/boot/vmlinuz-$amd_kver root=UUID=$ROOT_UUID ro $3
${i}	echo	'Loading initial ramdisk ...'
${i}	initrd	/boot/initrd.img-$amd_kver
${i}}
EOF
}
{
  cat <<EOF
#
# DO NOT EDIT THIS FILE
#
# It is automatically generated by grub-mkconfig using templates
# from /etc/grub.d and settings from /etc/default/grub
#

### BEGIN /etc/grub.d/00_header ###
if [ -s \$prefix/grubenv ]; then
  set have_grubenv=true
  load_env
fi
if [ "\${next_entry}" ] ; then
   set default="\${next_entry}"
   set next_entry=
   save_env next_entry
   set boot_once=true
else
   set default="0"
fi

if [ x"\${feature_menuentry_id}" = xy ]; then
  menuentry_id_option="--id"
else
  menuentry_id_option=""
fi

export menuentry_id_option

function load_video {
  if [ x\$feature_all_video_module = xy ]; then
    insmod all_video
  else
    insmod efi_gop
    insmod efi_uga
    insmod ieee1275_fb
    insmod vbe
    insmod vga
    insmod video_bochs
    insmod video_cirrus
  fi
}

if [ x\$feature_default_font_path = xy ] ; then
   font=unicode
else
insmod part_gpt
insmod ext2
set root='hd0,gpt2'
if [ x\$feature_platform_search_hint = xy ]; then
  $search
else
  search --no-floppy --fs-uuid --set=root  $ROOT_UUID
fi
    font="/usr/share/grub/unicode.pf2"
fi

if loadfont \$font ; then
  set gfxmode=auto
  load_video
  insmod gfxterm
fi
terminal_output gfxterm
if [ "\${recordfail}" = 1 ] ; then
  set timeout=30
else
  if [ x\$feature_timeout_style = xy ] ; then
    set timeout_style=menu
    set timeout=5
  # Fallback normal timeout code in case the timeout_style feature is
  # unavailable.
  else
    set timeout=5
  fi
fi
### END /etc/grub.d/00_header ###

### BEGIN /etc/grub.d/10_linux ###
function gfxmode {
	set gfxpayload="\${1}"
}
set linux_gfx_mode=
export linux_gfx_mode
EOF
  linux_entry 'Debian GNU/Linux' "gnulinux-simple-$ROOT_UUID" 'quiet console=ttyS0,115200 test.entry=debian' ''
  echo "submenu 'Advanced options for Debian GNU/Linux' \$menuentry_id_option 'gnulinux-advanced-$ROOT_UUID' {"
  linux_entry "Debian GNU/Linux, with Linux $amd_kver" "gnulinux-$amd_kver-advanced-$ROOT_UUID" 'quiet console=ttyS0,115200 test.entry=debian-advanced' '	'
  linux_entry "Debian GNU/Linux, with Linux $amd_kver (recovery mode)" "gnulinux-$amd_kver-recovery-$ROOT_UUID" 'single console=ttyS0,115200 test.entry=debian-recovery' '	'
  echo "}"
  cat <<'EOF'

### END /etc/grub.d/10_linux ###

### BEGIN /etc/grub.d/30_uefi-firmware ###
if [ "$grub_platform" = "efi" ]; then
	fwsetup --is-supported
	if [ "$?" = 0 ]; then
		menuentry 'UEFI Firmware Settings' $menuentry_id_option 'uefi-firmware' {
			fwsetup
		}
	fi
fi
### END /etc/grub.d/30_uefi-firmware ###
EOF
} > "$d/boot/grub/grub.cfg"
# grubenv: the 1024-byte block grub-install writes.
{ printf '# GRUB Environment Block\n# WARNING: Do not edit this file by tools other than grub-editenv!!!\n'; head -c 1024 /dev/zero | tr '\0' '#'; } | head -c 1024 > "$d/boot/grub/grubenv"
mkext4 "$d" "$work/debian-root.ext4" "$ROOT_UUID" debian-root

# --- esp.vfat: systemd-boot ESP with BLS type #1 entries (kernel-install's layout)
e=$work/esp
kdir=$e/$MACHINE_ID/$amd_kver
mkdir -p "$e/loader/entries" "$kdir" "$e/EFI/BOOT" "$e/arm64"
install -m 0644 "$amd_vmlinuz" "$kdir/linux"
install -m 0644 "$work/initrd-amd64.img" "$kdir/initrd.img-$amd_kver"
install -m 0644 "$arm_image" "$e/arm64/Image"
printf 'timeout 3\ndefault %s-*\n' "$MACHINE_ID" > "$e/loader/loader.conf"
printf '%s\n' "$MACHINE_ID" > "$e/loader/entries.srel"
bls_entry() { # FILE TITLE VERSION LINUX INITRD OPTIONS SORT-KEY
  cat > "$e/loader/entries/$1" <<EOF
# Boot Loader Specification type#1 entry
# File created by /usr/lib/kernel/install.d/90-loaderentry.install (systemd 252.31-1~deb12u1)
title      $2
version    $3
machine-id $MACHINE_ID
sort-key   $7
options    $6
linux      $4
initrd     $5
EOF
}
bls_entry "$MACHINE_ID-$amd_kver.conf" 'Debian GNU/Linux 12 (bookworm)' "$amd_kver" \
  "/$MACHINE_ID/$amd_kver/linux" "/$MACHINE_ID/$amd_kver/initrd.img-$amd_kver" \
  "root=UUID=$ROOT_UUID ro quiet console=ttyS0,115200 test.entry=bls" debian
# A kernel that was removed from the ESP but whose entry stayed behind.
bls_entry "$MACHINE_ID-6.1.0-9-amd64.conf" 'Debian GNU/Linux 12 (bookworm)' 6.1.0-9-amd64 \
  "/$MACHINE_ID/6.1.0-9-amd64/linux" "/$MACHINE_ID/6.1.0-9-amd64/initrd.img-6.1.0-9-amd64" \
  "root=UUID=$ROOT_UUID ro quiet console=ttyS0,115200 test.entry=bls-missing" debian
# An arm64 kernel on an x86 machine's ESP (copied from another machine).
bls_entry "arm64-rescue.conf" 'Rescue (arm64)' "$arm_kver" \
  "/arm64/Image" "/$MACHINE_ID/$amd_kver/initrd.img-$amd_kver" \
  "console=ttyS0,115200 test.entry=bls-arm64" rescue
mkvfat "$e" "$work/esp.vfat" "$ESP_VOLID" ESP 32 65536

# --- gpt.img: ESP + Debian root on one GPT disk
part_mib=64
gpt=$work/gpt.img
rm -f "$gpt"
truncate -s $(( (1 + 2 * part_mib + 1) * 1024 * 1024 )) "$gpt"
sfdisk -q --no-reread --no-tell-kernel "$gpt" <<EOF
label: gpt
label-id: $GPT_DISK_GUID
unit: sectors
first-lba: 2048

start=2048, size=$(( part_mib * 2048 )), type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=$ESP_PARTUUID, name="EFI system partition"
start=$(( 2048 + part_mib * 2048 )), size=$(( part_mib * 2048 )), type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=$ROOT_PARTUUID, name="debian-root"
EOF
dd if="$work/esp.vfat" of="$gpt" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$work/debian-root.ext4" of="$gpt" bs=1M seek=$(( 1 + part_mib )) conv=notrunc,sparse status=none

# --- extlinux.ext4: a /boot partition with extlinux.conf (U-Boot / syslinux style)
x=$work/extlinux
mkdir -p "$x/extlinux"
install -m 0644 "$amd_vmlinuz" "$x/vmlinuz-$amd_kver"
install -m 0644 "$work/initrd-amd64.img" "$x/initrd.img-$amd_kver"
cat > "$x/extlinux/extlinux.conf" <<EOF
## /extlinux/extlinux.conf
default extlinux-main
menu title Boot menu
prompt 0
timeout 50

label extlinux-main
	menu label Linux $amd_kver (extlinux)
	linux /vmlinuz-$amd_kver
	initrd /initrd.img-$amd_kver
	append root=UUID=$EXTLINUX_UUID ro console=ttyS0,115200 test.entry=extlinux

label extlinux-single
	menu label Linux $amd_kver (extlinux, single user)
	linux /vmlinuz-$amd_kver
	initrd /initrd.img-$amd_kver
	append root=UUID=$EXTLINUX_UUID ro single console=ttyS0,115200 test.entry=extlinux-single
EOF
mkext4 "$x" "$work/extlinux.ext4" "$EXTLINUX_UUID" extlinux-boot

# --- rpi-boot.vfat: Raspberry Pi OS-style boot partition (64-bit kernel)
r=$work/rpi
mkdir -p "$r"
install -m 0644 "$arm_image" "$r/kernel8.img"
install -m 0644 "$work/initrd-arm64.img" "$r/initrd.img"
install -m 0644 "$rpi_dtb" "$r/bcm2837-rpi-3-b-plus.dtb"
# The card's copy differs from the tree QEMU boots with (Debian's file) by one property,
# which the marker kernel prints: proof that the DTB from the card reached it.
fdtput -t s "$r/bcm2837-rpi-3-b-plus.dtb" / kexec-menu,from-disk rpi-sd.img
cat > "$r/config.txt" <<'EOF'
# For more options and information see
# http://rpf.io/configtxt
# Some settings may impact device functionality. See link above for details

# Enable audio (loads snd_bcm2835)
dtparam=audio=on

# Automatically load overlays for detected cameras
camera_auto_detect=1

# Automatically load overlays for detected DSI displays
display_auto_detect=1

# Run in 64-bit mode
arm_64bit=1
kernel=kernel8.img
initramfs initrd.img followkernel
# The Debian kernel's device tree for the 3 B+ (upstream name)
device_tree=bcm2837-rpi-3-b-plus.dtb

# Disable compensation for displays with overscan
disable_overscan=1

[pi4]
# Run as fast as firmware / board allows
arm_boost=1

[all]
enable_uart=1
EOF
printf 'console=serial0,115200 console=ttyAMA0,115200 root=PARTUUID=5a3c7e91-02 rootfstype=ext4 fsck.repair=yes rootwait test.entry=rpi\n' > "$r/cmdline.txt"
# A kexec-menu YAML entry beside the firmware's: the same kernel, initrd and DTB, with the
# running kernel's command line reused (issue 8's reuse-cmdline scenario).
cat > "$r/kexec-menu.yaml" <<'YAML'
entries:
  - title: Raspberry Pi, the running kernel's command line
    kernel: /kernel8.img
    initrd: /initrd.img
    dtb: /bcm2837-rpi-3-b-plus.dtb
    cmdline: test.entry=rpi-reuse
    reuse-cmdline: true
YAML
mkvfat "$r" "$work/rpi-boot.vfat" "$RPI_VOLID" bootfs 32 65536

# --- rpi-sd.img: the SD card of a Raspberry Pi (MBR, the boot partition at 4 MiB as
# Raspberry Pi OS lays it out, disk identifier matching cmdline.txt's PARTUUID). QEMU's SD
# card wants a power-of-two size: 128 MiB.
sd=$work/rpi-sd.img
rm -f "$sd"
truncate -s 128M "$sd"
sfdisk -q --no-reread --no-tell-kernel "$sd" <<EOF
label: dos
label-id: 0x${RPI_VOLID,,}
unit: sectors

start=8192, size=$(( 64 * 2048 )), type=c
EOF
dd if="$work/rpi-boot.vfat" of="$sd" bs=1M seek=4 conv=notrunc,sparse status=none

# --- arm64-virt.ext4: a device tree from disk on QEMU's arm64 virt machine (the native kexec_load)
a=$work/arm64
mkdir -p "$a/boot/extlinux" "$a/boot/dtbs"
install -m 0644 "$arm_image" "$a/boot/Image-$arm_kver"
install -m 0644 "$work/initrd-arm64.img" "$a/boot/initrd.img-$arm_kver"
# The DTB QEMU's virt machine gives its guest with the VM's options (scripts/vm.sh arm64);
# its /chosen/kaslr-seed is random per boot and kexec-tools refuses a DTB that has one.
qemu-system-aarch64 -M virt,dumpdtb="$work/virt.dtb" -cpu cortex-a57 -m 1024 -smp 1 -nographic >/dev/null
fdtput -d "$work/virt.dtb" /chosen kaslr-seed 2>/dev/null || true
if fdtget "$work/virt.dtb" /chosen kaslr-seed >/dev/null 2>&1; then echo "disks.sh: kaslr-seed still in virt.dtb" >&2; exit 1; fi
# A property only this file has (the marker kernel prints it).
fdtput -t s "$work/virt.dtb" / kexec-menu,from-disk arm64-virt.ext4
install -m 0644 "$work/virt.dtb" "$a/boot/dtbs/qemu-virt.dtb"
cat > "$a/boot/extlinux/extlinux.conf" <<EOF
default arm64-dtb
timeout 30

label arm64-dtb
	menu label Debian $arm_kver (arm64, device tree from disk)
	linux /boot/Image-$arm_kver
	initrd /boot/initrd.img-$arm_kver
	fdt /boot/dtbs/qemu-virt.dtb
	append console=ttyAMA0 test.entry=arm64-dtb
EOF
mkext4 "$a" "$work/arm64-virt.ext4" "$ARM64_UUID" arm64-boot

# --- armhf-virt.ext4: a zImage and a device tree from disk on QEMU's 32-bit ARM virt machine
# (the native kexec_load: the DTB is its own segment, found by its magic)
h=$work/armhf
mkdir -p "$h/boot/extlinux" "$h/boot/dtbs"
install -m 0644 "$armhf_zimage" "$h/boot/vmlinuz-$armhf_kver"
install -m 0644 "$work/initrd-armhf.img" "$h/boot/initrd.img-$armhf_kver"
# The tree of the VM's own options (test/vm/vm.ts, arch armhf): highmem=off, since the armmp
# kernel has no LPAE.
qemu-system-arm -M virt,highmem=off,dumpdtb="$work/virt-armhf.dtb" -cpu cortex-a15 -m 1024 -smp 1 -nographic >/dev/null
fdtput -d "$work/virt-armhf.dtb" /chosen kaslr-seed 2>/dev/null || true
fdtput -t s "$work/virt-armhf.dtb" / kexec-menu,from-disk armhf-virt.ext4
install -m 0644 "$work/virt-armhf.dtb" "$h/boot/dtbs/qemu-virt-armhf.dtb"
cat > "$h/boot/extlinux/extlinux.conf" <<EOF
default armhf-dtb
timeout 30

label armhf-dtb
	menu label Debian $armhf_kver (32-bit ARM zImage, device tree from disk)
	linux /boot/vmlinuz-$armhf_kver
	initrd /boot/initrd.img-$armhf_kver
	fdt /boot/dtbs/qemu-virt-armhf.dtb
	append console=ttyAMA0 test.entry=armhf-dtb
EOF
mkext4 "$h" "$work/armhf-virt.ext4" "$ARMHF_UUID" armhf-boot

# --- dirty-journal.ext4: an ext4 file system whose journal needs recovery (as after a power
# cut). A plain read-only mount replays the journal and so writes to the disk; the menu must
# not (ext4 `noload`, device set read-only). It holds a loose kernel (an Arch-style /boot).
j=$work/dirty
mkdir -p "$j/boot"
install -m 0644 "$amd_vmlinuz" "$j/boot/vmlinuz-linux"
install -m 0644 "$work/initrd-amd64.img" "$j/boot/initramfs-linux.img"
mkext4 "$j" "$work/dirty-journal.ext4" "$DIRTY_UUID" dirty-root
debugfs -w -R "feature needs_recovery" "$work/dirty-journal.ext4" >/dev/null 2>&1
dumpe2fs -h "$work/dirty-journal.ext4" 2>/dev/null | grep -q '^Filesystem features:.*needs_recovery' || {
  echo "disks.sh: could not set needs_recovery on dirty-journal.ext4" >&2
  exit 1
}

all_disks=(debian-root.ext4 esp.vfat gpt.img extlinux.ext4 rpi-boot.vfat rpi-sd.img arm64-virt.ext4 armhf-virt.ext4 dirty-journal.ext4)
for f in "${all_disks[@]}"; do
  mv "$work/$f" "$out/$f"
done
(cd "$out" && sha256sum "${all_disks[@]}" > SHA256SUMS)
cat > "$out/identities" <<EOF
ROOT_UUID=$ROOT_UUID
ESP_VOLID=$ESP_VOLID
EXTLINUX_UUID=$EXTLINUX_UUID
ARM64_UUID=$ARM64_UUID
ARMHF_UUID=$ARMHF_UUID
DIRTY_UUID=$DIRTY_UUID
RPI_VOLID=$RPI_VOLID
MACHINE_ID=$MACHINE_ID
ESP_PARTUUID=$ESP_PARTUUID
ROOT_PARTUUID=$ROOT_PARTUUID
AMD64_KERNEL=$amd_kver
ARM64_KERNEL=$arm_kver
ARMHF_KERNEL=$armhf_kver
EOF
rm -rf "$work"
echo "disks.sh: made the sample disks in $out" >&2

# --- trust-stick.vfat (issue 17, test/vm/trust.test.ts): a USB stick with a YAML menu. One
# entry boots the machine's own kernel from debian-root (named by UUID) with a command line of
# the stick's: with a password set it boots only with the password. The other boots the
# stick's own kernel: it needs none. A block of its own, after the disks above.
STICK_VOLID=7A5C0DE1
work=$top/cache/disks.work-stick
rm -rf "$work"
mkdir -p "$work/stick/boot"
marker_initrd "$amd_busybox" "$work/initrd-amd64.img"
install -m 0644 "$amd_vmlinuz" "$work/stick/boot/vmlinuz"
install -m 0644 "$work/initrd-amd64.img" "$work/stick/boot/initrd.img"
cat > "$work/stick/kexec-menu.yaml" <<EOF2
entries:
  - title: "Stick: root shell on the machine's kernel"
    id: stick-cross
    partition: { uuid: $ROOT_UUID }
    kernel: /boot/vmlinuz-$amd_kver
    initrd: /boot/initrd.img-$amd_kver
    cmdline: console=ttyS0,115200 test.entry=stick-cross
  - title: "Stick's own kernel"
    id: stick-own
    kernel: /boot/vmlinuz
    initrd: /boot/initrd.img
    cmdline: console=ttyS0,115200 test.entry=stick-own
EOF2
mkvfat "$work/stick" "$work/trust-stick.vfat" "$STICK_VOLID" TRUSTSTICK 16 40960
mv "$work/trust-stick.vfat" "$out/trust-stick.vfat"
(cd "$out" && sha256sum trust-stick.vfat >> SHA256SUMS)
echo "STICK_VOLID=$STICK_VOLID" >> "$out/identities"
rm -rf "$work"
echo "disks.sh: made trust-stick.vfat" >&2
