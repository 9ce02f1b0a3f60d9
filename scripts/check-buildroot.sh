#!/usr/bin/env bash
# Checks buildroot-external/ with Buildroot's own tools, given a Buildroot checkout:
#   BUILDROOT_DIR=/path/to/buildroot scripts/check-buildroot.sh [WORK_DIR]
# 0. `npm run release` stages dist/kexec-menu-<version>/, the package's default source
#    (KEXEC_MENU_SKIP_RELEASE=1: use the one already staged);
# 1. utils/check-package on every file of the tree (Buildroot's coding rules);
# 2. for each configs/*_defconfig: `make BR2_EXTERNAL=… <name>_defconfig`, then every line of
#    the defconfig must be in the resulting .config as written: Buildroot drops an option
#    whose dependencies fail without a word (nodejs without a C++ toolchain, say);
# 3. `make show-info` must list kexec-menu, nodejs, linux and busybox, with kexec-menu's
#    source the staged tree (site method local), and kexec (kexec-tools) exactly when the
#    defconfig turns on BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS;
# 4. `make kexec-menu`, the package's own steps (rsync of the staged tree, install to
#    target), run for real with its dependencies (toolchain, nodejs, host-qemu: downloads and
#    hours) left out on the command line and without the code-cache hook, which needs the
#    target's node: the installed files must be there, koffi.node an ELF for the target.
#    For the x86_64 defconfig this machine's node then runs the installed program.
# Nothing is downloaded. Exit 0 only if every check passed; without BUILDROOT_DIR, or without
# the host tools Buildroot and check-package need, it says so and exits 2.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ext=$top/buildroot-external

if [ -z "${BUILDROOT_DIR:-}" ]; then
  echo "check-buildroot: BUILDROOT_DIR is not set: point it at a Buildroot checkout (git clone https://gitlab.com/buildroot.org/buildroot.git)" >&2
  exit 2
fi
br=$(cd "$BUILDROOT_DIR" && pwd)
if [ ! -f "$br/Makefile" ] || [ ! -d "$br/package" ]; then
  echo "check-buildroot: $br is not a Buildroot checkout" >&2
  exit 2
fi
work=${1:-$(mktemp -d)}
mkdir -p "$work"
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# check-package wants /usr/bin/python3's modules (python3-magic, flake8), not a pyenv's.
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3

# What Buildroot's own dependency check and check-package need (Debian packages).
need=()
for prog in rsync file bc cpio unzip wget patch perl g++ flake8; do
  command -v "$prog" >/dev/null || need+=("$prog")
done
"$py" -c 'import magic' 2>/dev/null || need+=(python3-magic)
if [ "${#need[@]}" -gt 0 ]; then
  echo "check-buildroot: missing host tools (${need[*]}): apt-get install rsync file bc cpio unzip wget patch perl g++ flake8 python3-magic" >&2
  exit 2
fi

if [ "${KEXEC_MENU_SKIP_RELEASE:-}" != 1 ]; then
  echo "== npm run release"
  (cd "$top" && node scripts/release.mjs)
fi

echo "== utils/check-package"
mapfile -t files < <(cd "$ext" && find . -type f ! -name README.md | sort)
if (cd "$ext" && "$py" "$br/utils/check-package" -b "${files[@]}"); then
  echo "ok: check-package, ${#files[@]} files"
else
  fail "check-package found problems"
fi

for defconfig in "$ext"/configs/*_defconfig; do
  name=$(basename "$defconfig")
  out=$work/${name%_defconfig}
  echo "== $name"
  if ! make -s -C "$br" O="$out" BR2_EXTERNAL="$ext" "$name" > "$out.log" 2>&1; then
    fail "$name: make $name failed (see $out.log)"
    tail -n 20 "$out.log"
    continue
  fi
  missing=0
  while IFS= read -r line; do
    case "$line" in
      '' | '# BR2_'*' is not set') ;;
      '#'*) continue ;;
    esac
    [ -n "$line" ] || continue
    if [[ $line == '# '* ]]; then
      sym=${line#\# }; sym=${sym%% *}
      # "is not set" holds if .config says so or does not mention the symbol at all.
      if grep -q "^$sym=" "$out/.config"; then
        fail "$name: $sym should be unset but .config has: $(grep "^$sym=" "$out/.config")"
        missing=$((missing + 1))
      fi
    elif ! grep -qxF -- "$line" "$out/.config"; then
      sym=${line%%=*}
      fail "$name: '$line' was dropped; .config has: $(grep -E "^(# )?${sym}[= ]" "$out/.config" || echo nothing)"
      missing=$((missing + 1))
    fi
  done < "$defconfig"
  [ "$missing" -eq 0 ] && echo "ok: every line of $name is in .config"

  if make -s -C "$br" O="$out" BR2_EXTERNAL="$ext" show-info > "$out.show-info.json" 2> "$out.show-info.log"; then
    listed() { "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if sys.argv[2] in d else 1)' "$out.show-info.json" "$1"; }
    for pkg in kexec-menu nodejs linux busybox; do
      if listed "$pkg"; then
        echo "ok: show-info lists $pkg"
      else
        fail "$name: show-info does not list $pkg"
      fi
    done
    # kexec-tools only through the package's option (kexec-menu loads kernels itself).
    if grep -qx 'BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS=y' "$out/.config"; then
      if listed kexec; then echo "ok: show-info lists kexec (BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS=y)"; else fail "$name: BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS=y but show-info does not list kexec"; fi
    else
      if listed kexec; then fail "$name: show-info lists kexec without BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS"; else echo "ok: show-info has no kexec (BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS off)"; fi
    fi
    "$py" -c 'import json,sys; d=json.load(open(sys.argv[1]))["kexec-menu"]; print("   kexec-menu", d["version"], "from", d["downloads"][0]["uris"][0] if d.get("downloads") else "(no download)", "depends on", " ".join(d["dependencies"]))' "$out.show-info.json" 2>/dev/null || true
    vars=$(make -s -C "$br" O="$out" BR2_EXTERNAL="$ext" printvars VARS="KEXEC_MENU_KOFFI_PKG KEXEC_MENU_KOFFI_DIR KEXEC_MENU_VERSION KEXEC_MENU_SITE KEXEC_MENU_SITE_METHOD BR2_ARCH" 2>/dev/null)
    var() { sed -n "s/^$1=//p" <<<"$vars"; }
    koffi_pkg=$(var KEXEC_MENU_KOFFI_PKG)
    koffi_dir=$(var KEXEC_MENU_KOFFI_DIR)
    version=$(var KEXEC_MENU_VERSION)
    stage=$top/dist/kexec-menu-$version
    # The default source is this checkout's staged release, with no download.
    if [ "$(var KEXEC_MENU_SITE_METHOD)" = local ] && [ "$(var KEXEC_MENU_SITE)" = "$stage" ]; then
      echo "ok: kexec-menu's source is the staged tree $stage (local)"
    else
      fail "$name: kexec-menu's source is $(var KEXEC_MENU_SITE) ($(var KEXEC_MENU_SITE_METHOD)), not the staged tree $stage"
    fi
    # The koffi binary the package installs for this architecture must be in the release.
    if [ -z "$koffi_pkg" ] || [ -z "$koffi_dir" ]; then
      fail "$name: kexec-menu.mk has no koffi binary for this architecture"
    elif [ -f "$stage/$koffi_pkg/$koffi_dir/koffi.node" ]; then
      echo "ok: the release holds $koffi_pkg/$koffi_dir/koffi.node"
    else
      fail "$name: $stage lacks $koffi_pkg/$koffi_dir/koffi.node"
    fi

    # 4. The package's own steps, for real, with its dependencies left out.
    if make -C "$br" O="$out" BR2_EXTERNAL="$ext" kexec-menu \
        KEXEC_MENU_DEPENDENCIES= KEXEC_MENU_ADD_TOOLCHAIN_DEPENDENCY=NO \
        KEXEC_MENU_ADD_SKELETON_DEPENDENCY=NO KEXEC_MENU_POST_INSTALL_TARGET_HOOKS= \
        > "$out.kexec-menu.log" 2>&1; then
      t=$out/target/usr/lib/kexec-menu
      bad=0
      for f in kexec-menu.js package.json blessed/usr/vt100 blessed/usr/linux "$koffi_pkg/package.json" "$koffi_pkg/index.js" "$koffi_pkg/$koffi_dir/koffi.node"; do
        [ -f "$t/$f" ] || { fail "$name: make kexec-menu did not install /usr/lib/kexec-menu/$f"; bad=1; }
      done
      [ "$(readlink "$out/target/usr/bin/kexec-menu")" = ../lib/kexec-menu/kexec-menu.js ] || { fail "$name: /usr/bin/kexec-menu is not the link to the bundle"; bad=1; }
      others=$(find "$t/node_modules" -name koffi.node | grep -vc "/$koffi_dir/koffi.node" || true)
      [ "$others" -eq 0 ] || { fail "$name: $others koffi binaries of other targets installed"; bad=1; }
      arch=$(var BR2_ARCH); arch=${arch//\"/}
      want=$(case "$arch" in x86_64) echo x86-64;; aarch64) echo aarch64;; arm) echo ARM;; esac)
      [ -n "$want" ] || { fail "$name: no ELF machine known for BR2_ARCH '$arch'"; bad=1; }
      if [ -f "$t/$koffi_pkg/$koffi_dir/koffi.node" ] && ! file -b "$t/$koffi_pkg/$koffi_dir/koffi.node" | grep -q "ELF.*$want"; then
        fail "$name: koffi.node is not an ELF for $want: $(file -b "$t/$koffi_pkg/$koffi_dir/koffi.node")"; bad=1
      fi
      [ "$bad" -eq 0 ] && echo "ok: make kexec-menu synced the staged tree and installed the bundle, terminfo and the $koffi_dir koffi binary only ($want)"
      if [ "$arch" = x86_64 ] && [ "$(uname -m)" = x86_64 ] && [ "$bad" -eq 0 ]; then
        if listing=$(node "$out/target/usr/bin/kexec-menu" list --json --config "$top/configs/demo.yaml" 2>&1) &&
            "$py" -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if len(d["entries"]) > 0 else 1)' "$listing"; then
          echo "ok: the installed program (this machine's node) lists the sample entries"
        else
          fail "$name: the installed program failed: ${listing:0:400}"
        fi
      fi
    else
      fail "$name: make kexec-menu failed (see $out.kexec-menu.log)"
      tail -n 20 "$out.kexec-menu.log"
    fi
  else
    fail "$name: make show-info failed (see $out.show-info.log)"
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "check-buildroot: FAILED"
  exit 1
fi
echo "check-buildroot: all checks passed (Buildroot $(make -s -C "$br" print-version 2>/dev/null || echo '?'))"
