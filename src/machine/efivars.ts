// EFI variables through efivarfs (/sys/firmware/efi/efivars), plain file I/O: each variable is
// a file NAME-VENDORGUID holding 4 bytes of attributes (little-endian) and then the data. The
// boot loader interface's strings (systemd-boot's LoaderEntry*) are UTF-16LE with a NUL at
// the end. efivarfs keeps variables it does not know as immutable files: changing or removing
// one needs `chattr -i` first (FS_IOC_SETFLAGS, through src/sys: the `unprotect` hook), and a
// value is written in one write(2) of attributes + data, as the kernel expects.
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, readdirSync, unlinkSync, writeSync, constants } from 'node:fs';
import { join } from 'node:path';

export const EFIVARFS = '/sys/firmware/efi/efivars';
/** systemd's boot loader interface vendor GUID (LoaderEntryDefault, LoaderEntryOneShot, …). */
export const LOADER_VENDOR = '4a67b082-0a4c-41cf-b6c7-440b29bb8c4f';
/** The boot loader interface's variables of the remembered choice, in the order systemd-boot consults them. */
export const SAVED_VARIABLES = ['LoaderEntryOneShot', 'LoaderEntryDefault', 'LoaderEntryLastBooted'] as const;
export type SavedVariable = (typeof SAVED_VARIABLES)[number];
/** EFI_VARIABLE_NON_VOLATILE | BOOTSERVICE_ACCESS | RUNTIME_ACCESS, as bootctl writes them. */
export const LOADER_ATTRIBUTES = 0x7;
/** Longer values are no entry id (systemd-boot's ids are file names); refusing them bounds reads. */
const MAX_VALUE_BYTES = 4096;

/** A variable's file contents for a boot-loader string. */
export function encodeLoaderString(value: string, attributes = LOADER_ATTRIBUTES): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32LE(attributes >>> 0);
  return Buffer.concat([head, Buffer.from(value + '\0', 'utf16le')]);
}

/** The string in a variable's file contents; undefined when it is not one (odd length, too short, too long). */
export function decodeLoaderString(data: Buffer): { attributes: number; value: string } | undefined {
  if (data.length < 4 || (data.length - 4) % 2 !== 0 || data.length > 4 + MAX_VALUE_BYTES) return undefined;
  const text = data.subarray(4).toString('utf16le');
  const nul = text.indexOf('\0');
  // systemd accepts a value without the NUL too (efi_get_variable_string).
  return { attributes: data.readUInt32LE(0), value: nul === -1 ? text : text.slice(0, nul) };
}

/** Reading and writing boot-loader strings of one vendor. */
export interface EfiStrings {
  /** Where they live, for messages. */
  readonly where: string;
  read(name: string): string | undefined;
  write(name: string, value: string): void;
  /** Removes the variable; nothing when it is not there. */
  remove(name: string): void;
}

/**
 * The variables of `vendor` in the efivarfs at `dir`. `unprotect(path)` clears a file's
 * immutable flag (the real one is src/sys setImmutable; a tmpfs standing in for efivarfs in
 * tests needs none).
 */
export function efiStrings(dir: string = EFIVARFS, unprotect: (path: string) => void = () => {}, vendor: string = LOADER_VENDOR): EfiStrings {
  const path = (name: string): string => join(dir, `${name}-${vendor}`);
  return {
    where: dir,
    read(name) {
      let data: Buffer;
      try {
        data = readFileSync(path(name));
      } catch {
        return undefined;
      }
      return decodeLoaderString(data)?.value;
    },
    write(name, value) {
      const file = path(name);
      if (existsSync(file)) unprotect(file);
      // No O_TRUNC: efivarfs replaces the whole value on each write and cannot truncate.
      const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT, 0o644);
      try {
        const data = encodeLoaderString(value);
        if (writeSync(fd, data) !== data.length) throw new Error(`${file}: short write`);
        // A plain file standing in for efivarfs (tests) keeps a longer old value's tail.
        if (fstatSync(fd).size > data.length) ftruncateSync(fd, data.length);
      } finally {
        closeSync(fd);
      }
    },
    remove(name) {
      const file = path(name);
      if (!existsSync(file)) return;
      unprotect(file);
      unlinkSync(file);
    },
  };
}

/**
 * Whether this machine exposes EFI variables (booted through UEFI, efivarfs mounted). sysfs
 * makes the folder on every UEFI boot, empty until efivarfs is mounted there (the image's
 * sysinit does): firmware always has some variables (Boot####, ConOut...), so an empty
 * folder means no efivarfs.
 */
export function hasEfiVariables(dir: string = EFIVARFS): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
