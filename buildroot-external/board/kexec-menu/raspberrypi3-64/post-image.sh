#!/bin/sh
# Buildroot post-image script of kexec_menu_raspberrypi3_64_defconfig: sdcard.img with one
# FAT partition holding what config.txt names (firmware, Image, rootfs.cpio.gz) and the
# device trees. Same approach as Buildroot's board/raspberrypi/post-image.sh, without the
# ext4 root partition.
set -eu
board_dir=$(dirname "$0")
cfg=$BINARIES_DIR/genimage.cfg
files=$(cd "$BINARIES_DIR" && for f in *.dtb rpi-firmware/* Image rootfs.cpio.gz; do
	[ -e "$f" ] && printf '\t\t\t"%s",\n' "$f"
done)
awk -v files="$files" '/#BOOT_FILES#/ { print files; next } { print }' "$board_dir/genimage.cfg.in" > "$cfg"

tmp=$BUILD_DIR/genimage.tmp
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
rm -rf "$tmp"
genimage --rootpath "$root" --tmppath "$tmp" --inputpath "$BINARIES_DIR" \
	--outputpath "$BINARIES_DIR" --config "$cfg"
