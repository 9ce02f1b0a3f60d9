#!/usr/bin/env bash
# Checks buildroot-external/ with Buildroot's own tools, given a Buildroot checkout:
#   BUILDROOT_DIR=/path/to/buildroot scripts/check-buildroot.sh [WORK_DIR]
# 1. utils/check-package on every file of the tree (Buildroot's coding rules);
# 2. for each configs/*_defconfig: `make BR2_EXTERNAL=… <name>_defconfig`, then every line of
#    the defconfig must be in the resulting .config as written: Buildroot drops an option
#    whose dependencies fail without a word (nodejs without a C++ toolchain, say);
# 3. `make show-info` must list kexec-menu, nodejs and kexec as target packages.
# Nothing is downloaded or built. Exit 0 only if every check passed; without BUILDROOT_DIR
# it says so and exits 77 (the test suite reports that as a skip).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ext=$top/buildroot-external

if [ -z "${BUILDROOT_DIR:-}" ]; then
  echo "check-buildroot: skipped: BUILDROOT_DIR is not set (a Buildroot checkout is needed)"
  exit 77
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
    for pkg in kexec-menu nodejs kexec linux busybox; do
      if "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if sys.argv[2] in d else 1)' "$out.show-info.json" "$pkg"; then
        echo "ok: show-info lists $pkg"
      else
        fail "$name: show-info does not list $pkg"
      fi
    done
    "$py" -c 'import json,sys; d=json.load(open(sys.argv[1]))["kexec-menu"]; print("   kexec-menu", d["version"], "from", d["downloads"][0]["uris"][0], "depends on", " ".join(d["dependencies"]))' "$out.show-info.json" 2>/dev/null || true
    # The koffi binary the package installs for this architecture must be in the release.
    vars=$(make -s -C "$br" O="$out" BR2_EXTERNAL="$ext" printvars VARS="KEXEC_MENU_KOFFI_PKG KEXEC_MENU_KOFFI_DIR KEXEC_MENU_VERSION" 2>/dev/null)
    koffi_pkg=$(sed -n 's/^KEXEC_MENU_KOFFI_PKG=//p' <<<"$vars")
    koffi_dir=$(sed -n 's/^KEXEC_MENU_KOFFI_DIR=//p' <<<"$vars")
    version=$(sed -n 's/^KEXEC_MENU_VERSION=//p' <<<"$vars")
    stage=$top/dist/kexec-menu-$version
    if [ -z "$koffi_pkg" ] || [ -z "$koffi_dir" ]; then
      fail "$name: kexec-menu.mk has no koffi binary for this architecture"
    elif [ -d "$stage" ]; then
      if [ -f "$stage/$koffi_pkg/$koffi_dir/koffi.node" ]; then
        echo "ok: the release holds $koffi_pkg/$koffi_dir/koffi.node"
      else
        fail "$name: $stage lacks $koffi_pkg/$koffi_dir/koffi.node"
      fi
    else
      echo "note: no $stage (npm run release) to check $koffi_pkg/$koffi_dir against"
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
