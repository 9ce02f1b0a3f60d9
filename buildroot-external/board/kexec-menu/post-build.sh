#!/bin/sh
# Buildroot post-build script of the kexec_menu_* defconfigs (BR2_ROOTFS_POST_BUILD_SCRIPT),
# run after the rootfs overlay is copied. It applies the kexec-menu package's options,
# read from $BR2_CONFIG:
#   BR2_PACKAGE_KEXEC_MENU_CONSOLES  one respawning menu per port in /etc/inittab
#   BR2_PACKAGE_KEXEC_MENU_TERM      the TERM getty gives the menu
#   BR2_PACKAGE_KEXEC_MENU_SETTINGS  installed as /etc/kexec-menu/config.yaml
# and fits init's restart action (the `init` hand-over) to the target: without kexec-tools'
# /usr/sbin/kexec (BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS off), the loaded kernel is started by
# `kexec-menu boot --exec-loaded` (reboot(LINUX_REBOOT_CMD_KEXEC) from kexec-menu itself).
# scripts/image.sh (the Debian-assembled image) runs this same script with its own small
# BR2_CONFIG, so both images get the same /etc.
#   post-build.sh TARGET_DIR        (BR2_CONFIG in the environment)
set -eu
target=${1:?usage: post-build.sh TARGET_DIR}
config=${BR2_CONFIG:?BR2_CONFIG must name the .config to read}

# The value of a string option of $config, without its quotes ("" when unset).
option() {
	sed -n "s/^$1=\"\\(.*\\)\"\$/\\1/p" "$config" | tail -n 1
}

consoles=$(option BR2_PACKAGE_KEXEC_MENU_CONSOLES)
term=$(option BR2_PACKAGE_KEXEC_MENU_TERM)
settings=$(option BR2_PACKAGE_KEXEC_MENU_SETTINGS)
[ -n "$consoles" ] || consoles=console
[ -n "$term" ] || term=vt100

inittab=$target/etc/inittab
grep -q '^# BEGIN KEXEC_MENU_CONSOLES$' "$inittab" || {
	echo "post-build.sh: $inittab has no '# BEGIN KEXEC_MENU_CONSOLES' block (is the kexec-menu rootfs overlay used?)" >&2
	exit 1
}
lines=$(mktemp)
trap 'rm -f "$lines"' EXIT
for spec in $consoles; do
	port=${spec%%:*}
	baud=0
	[ "$port" = "$spec" ] || baud=${spec#*:}
	case "$port" in
	''|*[!A-Za-z0-9_]*) echo "post-build.sh: bad console port '$spec' in BR2_PACKAGE_KEXEC_MENU_CONSOLES" >&2; exit 1 ;;
	esac
	case "$baud" in
	''|*[!0-9]*) echo "post-build.sh: bad baud rate in '$spec' in BR2_PACKAGE_KEXEC_MENU_CONSOLES" >&2; exit 1 ;;
	esac
	echo "$port::respawn:/sbin/getty -n -l /usr/sbin/kexec-menu-console -L $port $baud $term"
done > "$lines"
sed -i -e "/^# BEGIN KEXEC_MENU_CONSOLES\$/,/^# END KEXEC_MENU_CONSOLES\$/{
/^# BEGIN/r $lines
/^# BEGIN/!{/^# END/!d}
}" "$inittab"

# A login getty on a menu's port would fight it for the input.
for spec in $consoles; do
	port=${spec%%:*}
	if grep -E "^[^#].*getty" "$inittab" | grep -v kexec-menu-console | grep -qw "$port"; then
		echo "post-build.sh: $inittab still has a login getty on $port" >&2
		exit 1
	fi
done

# The overlay's restart line runs kexec-tools; a target without it gets kexec-menu's own.
if [ ! -x "$target/usr/sbin/kexec" ]; then
	sed -i -E 's|^([^#:]*:[^:]*):restart:/usr/sbin/kexec( .*)?$|\1:restart:/usr/bin/kexec-menu boot --exec-loaded|' "$inittab"
	if grep -Eq '^[^#]*:restart:([^ ]*/)?kexec( |$)' "$inittab"; then
		echo "post-build.sh: $inittab's restart action runs kexec, which $target lacks (kexec-tools: BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS)" >&2
		exit 1
	fi
fi
grep -Eq '^[^#]*:restart:' "$inittab" || {
	echo "post-build.sh: $inittab has no restart action to start the loaded kernel" >&2
	exit 1
}

if [ -n "$settings" ]; then
	install -D -m 0644 "$settings" "$target/etc/kexec-menu/config.yaml"
fi
# Without this marker the program refuses to kexec or reboot (see the marker's text).
[ -f "$target/etc/kexec-menu/image" ] || {
	echo "post-build.sh: $target/etc/kexec-menu/image is missing" >&2
	exit 1
}
