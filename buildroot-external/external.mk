include $(sort $(wildcard $(BR2_EXTERNAL_KEXEC_MENU_PATH)/package/*/*.mk))
