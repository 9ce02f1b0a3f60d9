################################################################################
#
# kexec-menu
#
################################################################################

# kexec-menu's release: the program bundled into one JavaScript file, blessed's terminfo
# files and koffi's prebuilt binaries for x86_64, aarch64 and armhf, made by `npm run release`
# in kexec-menu's checkout. Nothing is compiled and npm never runs here.
#
# By default the package takes the tree that `npm run release` staged in the checkout this
# BR2_EXTERNAL belongs to, dist/kexec-menu-<version>/ beside buildroot-external/ (site
# method local: no download and no hash check; `make kexec-menu-rebuild` picks up a new
# one). BR2_PACKAGE_KEXEC_MENU_SITE names a published release instead: the tarball
# kexec-menu-<version>.tar.gz is downloaded from there and checked against kexec-menu.hash.
KEXEC_MENU_VERSION = 0.1.0
KEXEC_MENU_RELEASE_SITE = $(call qstrip,$(BR2_PACKAGE_KEXEC_MENU_SITE))
ifeq ($(KEXEC_MENU_RELEASE_SITE),)
KEXEC_MENU_SITE = $(abspath $(BR2_EXTERNAL_KEXEC_MENU_PATH)/../dist/kexec-menu-$(KEXEC_MENU_VERSION))
KEXEC_MENU_SITE_METHOD = local
else
KEXEC_MENU_SITE = $(KEXEC_MENU_RELEASE_SITE)
endif
KEXEC_MENU_LICENSE = MIT
KEXEC_MENU_LICENSE_FILES = LICENSES.txt

ifeq ($(BR2_x86_64),y)
KEXEC_MENU_KOFFI_CPU = x64
KEXEC_MENU_KOFFI_ABI = x64
else ifeq ($(BR2_aarch64),y)
KEXEC_MENU_KOFFI_CPU = arm64
KEXEC_MENU_KOFFI_ABI = arm64
else ifeq ($(BR2_arm),y)
KEXEC_MENU_KOFFI_CPU = arm
KEXEC_MENU_KOFFI_ABI = armhf
endif

# koffi names its folders after the C library: linux_<abi> (glibc), musl_<abi>.
ifeq ($(BR2_TOOLCHAIN_USES_MUSL),y)
KEXEC_MENU_KOFFI_DIR = musl_$(KEXEC_MENU_KOFFI_ABI)
else
KEXEC_MENU_KOFFI_DIR = linux_$(KEXEC_MENU_KOFFI_ABI)
endif

KEXEC_MENU_KOFFI_PKG = node_modules/@koromix/koffi-linux-$(KEXEC_MENU_KOFFI_CPU)

# The bundle's V8 code cache (`kexec-menu code-cache`): made by the target's own node,
# run under QEMU's user mode as nodejs itself runs V8's build tools (nodejs selects
# host-qemu), without node options as the console launcher runs the menu (V8 rejects a
# cache made with other flags). scripts/image.sh of the checkout does the same.
KEXEC_MENU_DEPENDENCIES = host-qemu nodejs

# Only the target's koffi binary is installed; the bundle finds it through
# node_modules/ beside itself.
define KEXEC_MENU_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0755 $(@D)/kexec-menu.js \
		$(TARGET_DIR)/usr/lib/kexec-menu/kexec-menu.js
	$(INSTALL) -D -m 0644 $(@D)/package.json \
		$(TARGET_DIR)/usr/lib/kexec-menu/package.json
	$(INSTALL) -d -m 0755 $(TARGET_DIR)/usr/lib/kexec-menu/blessed/usr
	$(INSTALL) -m 0644 $(@D)/blessed/usr/* \
		$(TARGET_DIR)/usr/lib/kexec-menu/blessed/usr/
	$(INSTALL) -D -m 0644 $(@D)/$(KEXEC_MENU_KOFFI_PKG)/package.json \
		$(TARGET_DIR)/usr/lib/kexec-menu/$(KEXEC_MENU_KOFFI_PKG)/package.json
	$(INSTALL) -D -m 0644 $(@D)/$(KEXEC_MENU_KOFFI_PKG)/index.js \
		$(TARGET_DIR)/usr/lib/kexec-menu/$(KEXEC_MENU_KOFFI_PKG)/index.js
	$(INSTALL) -D -m 0755 $(@D)/$(KEXEC_MENU_KOFFI_PKG)/$(KEXEC_MENU_KOFFI_DIR)/koffi.node \
		$(TARGET_DIR)/usr/lib/kexec-menu/$(KEXEC_MENU_KOFFI_PKG)/$(KEXEC_MENU_KOFFI_DIR)/koffi.node
	$(INSTALL) -d -m 0755 $(TARGET_DIR)/usr/bin
	ln -sf ../lib/kexec-menu/kexec-menu.js $(TARGET_DIR)/usr/bin/kexec-menu
endef

define KEXEC_MENU_WRITE_CODE_CACHE
	mkdir -p $(@D)/code-cache-tmp
	TMPDIR=$(@D)/code-cache-tmp NODE_OPTIONS= \
		$(QEMU_USER) -r $(BR2_TOOLCHAIN_HEADERS_AT_LEAST) \
		$(call qstrip,$(BR2_PACKAGE_HOST_QEMU_USER_MODE_ARGS)) \
		-L $(TARGET_DIR) $(TARGET_DIR)/usr/bin/node \
		$(TARGET_DIR)/usr/lib/kexec-menu/kexec-menu.js code-cache
endef
KEXEC_MENU_POST_INSTALL_TARGET_HOOKS += KEXEC_MENU_WRITE_CODE_CACHE

# What the program itself needs from the kernel: kexec (kexec_file_load on
# 64-bit, kexec_load everywhere), inotify for disks that come and go, and
# devtmpfs for their device nodes. The filesystems it reads are board policy:
# see board/kexec-menu/linux.fragment.
define KEXEC_MENU_LINUX_CONFIG_FIXUPS
	$(call KCONFIG_ENABLE_OPT,CONFIG_KEXEC)
	$(if $(BR2_ARCH_IS_64),$(call KCONFIG_ENABLE_OPT,CONFIG_KEXEC_FILE))
	$(call KCONFIG_ENABLE_OPT,CONFIG_INOTIFY_USER)
	$(call KCONFIG_ENABLE_OPT,CONFIG_DEVTMPFS)
endef

# Without a staged tree the build would stop at rsync's "No such file or directory": say
# what to run instead.
define KEXEC_MENU_CHECK_STAGED_TREE
	@test -f $(KEXEC_MENU_SITE)/kexec-menu.js || { \
		echo "kexec-menu: $(KEXEC_MENU_SITE) is missing: run 'npm ci && npm run release' in kexec-menu's checkout, or set BR2_PACKAGE_KEXEC_MENU_SITE to a published release" >&2; \
		exit 1; }
endef
KEXEC_MENU_PRE_RSYNC_HOOKS += KEXEC_MENU_CHECK_STAGED_TREE

$(eval $(generic-package))
