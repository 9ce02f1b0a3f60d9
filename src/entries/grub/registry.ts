// The table of GRUB commands an Interpreter is made with (grub_register_command): the
// themed command files, blscfg, and the many commands that cannot change what is booted.
// Kept apart from the interpreter so that the commands and it never import each other.
import { blscfg } from './blscfg';
import { BOOT_COMMANDS } from './boot-commands';
import type { Command, CommandTable } from './command-api';
import { FILE_COMMANDS } from './file-commands';
import { SCRIPT_COMMANDS } from './script-commands';

const succeed: Command = () => 0;
const undecidable: Command = () => 'unknown';

// Screen, module, disk-driver and bookkeeping commands: no effect on what an entry boots.
const NO_EFFECT: readonly string[] = [
  'insmod', 'rmmod', 'echo', 'terminal_output', 'terminal_input', 'terminal', 'serial', 'loadfont', 'background_image',
  'background_color', 'play', 'sleep', 'clear', 'lsfonts', 'password', 'password_pbkdf2', 'gettext', 'videoinfo',
  'vbeinfo', 'ls', 'lsmod', 'help', 'date', 'usb', 'nativedisk', 'cryptomount', 'save_env', 'list_env', 'boot',
  'btrfs-mount-subvol', 'btrfs-list-subvols', 'btrfs-get-default-subvol', 'btrfs-info', 'drivemap',
  'parttool', 'lsefi', 'lsefimmap', 'lsefisystab', 'lssal', 'efi_gop', 'efi_uga', 'tpm_record_pcrs', 'setkey',
  'keymap', 'pager', 'outb', 'inb', 'lspci', 'setpci', 'acpi', 'badram', 'cutmem', 'gptsync', 'fakebios',
  'fix_video', 'rdmsr', 'wrmsr', 'lsacpi', 'zfs-bootfs', 'zfsinfo', 'lvm', 'mdraid', 'shim_lock', 'bli', 'tpm2_key_protector_init',
  'terminfo', 'hexdump', 'cat', 'net_bootp', 'net_dhcp', 'net_add_addr', 'net_add_dns', 'net_add_route', 'net_ls_addr',
  'net_ls_cards', 'net_ls_dns', 'net_ls_routes', 'trust', 'distrust', 'list_trusted', 'verify_detached',
];

// Commands whose answer depends on the machine GRUB runs on (keys held, hardware lists…).
const UNDECIDABLE: readonly string[] = ['hwmatch', 'regexp', 'smbios', 'read', 'tr', 'efivar', 'getenv', 'test_blockarg'];

export const GRUB_COMMANDS: CommandTable = new Map<string, Command>([
  ...SCRIPT_COMMANDS,
  ...FILE_COMMANDS,
  ...BOOT_COMMANDS,
  ['blscfg', blscfg],
  ['bls_import', blscfg],
  ...NO_EFFECT.map((name) => [name, succeed] as const),
  ...UNDECIDABLE.map((name) => [name, undecidable] as const),
]);
