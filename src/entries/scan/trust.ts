// Which entries may boot without the password. With `password` set, the editor and the shell
// are locked, but an entry is a command line too: a YAML menu on a USB stick could name the
// machine's own kernel by UUID with `init=/bin/sh` (petitboot's issue #114 is the editor's
// form of this). So an entry may use only files of the disk its config lives on, unless the
// settings trust that config's partition (`trusted:`, by UUID, PARTUUID or label) or the
// config is the image's own (settings.menus). Anything else stays in the menu with the reason
// and boots only with the password, never by itself. Every format goes through here: the rule
// looks at the partitions the entry's resources resolve to, whatever the config said.
//
// An identifier on a disk is whatever whoever made the disk wrote there: a stick can copy the
// UUID or label of a partition of the machine. So an identifier that names more than one
// partition present trusts nothing (a trusted source with a twin is not trusted while the
// twin is there), and a file named by an identifier that more than one partition carries
// needs the password even in a trusted config: the copy could be the one that answers.
import type { ReadablePartition } from '../../fs/files';
import type { ParsedEntry, PartitionSelector, Resource } from '../model';
import { describeSelector, locatePartition } from './resolve';

/** A partition the settings trust: its configs may name files anywhere. */
export type TrustedSource = Extract<PartitionSelector, { by: 'uuid' | 'partuuid' | 'label' }>;

/** What the rule needs of the settings. */
export interface TrustSettings {
  /** The settings' password hash: without one every entry boots as its config says. */
  readonly password?: string;
  readonly trusted?: readonly TrustedSource[];
}

/** Where a config was read: a partition of the machine's, or one of the image's own menu folders. */
export type ConfigOrigin = 'disk' | 'image';

/**
 * The disk a partition is on, from its kernel name (the kernel's own naming rule,
 * block/partitions/core.c: a disk whose name ends in a digit gets `p` before the partition
 * number, `nvme0n1p2`, `mmcblk0p1`; others get the number alone, `sda1`, `vdb2`). Devices
 * whose names end in a digit but hold no partition table of that form are disks of their own.
 */
export function diskOf(name: string): string {
  if (/^(loop|sr|nbd|md|ram|zram|dm-|mtdblock|ubiblock|rbd|fd)\d+$/.test(name)) return name;
  const p = /^(.*\d)p\d+$/.exec(name);
  if (p) return p[1]!;
  const n = /^(sd|vd|hd|xvd|ubd)([a-z]+)\d+$/.exec(name);
  return n ? `${n[1]}${n[2]}` : name;
}

const same = (a: ReadablePartition, b: ReadablePartition): boolean => a.root === b.root;

/** Whether `part` carries the identifier `sel` names (locatePartition's own matching). */
function carries(part: ReadablePartition, sel: PartitionSelector): boolean {
  const found = locatePartition(sel, part, []);
  return found.ok && sel.by !== 'self';
}

function names(parts: readonly ReadablePartition[]): string {
  return parts.map((p) => p.info.name).join(', ');
}

/** Whether the settings trust `self`, or why not; undefined when they do not name it at all. */
function trustOf(self: ReadablePartition, present: readonly ReadablePartition[], trusted: readonly TrustedSource[]): { ok: true } | { ok: false; why?: string } {
  for (const t of trusted) {
    if (!carries(self, t)) continue;
    const twins = present.filter((p) => !same(p, self) && carries(p, t));
    if (twins.length > 0) return { ok: false, why: `the trusted ${describeSelector(t)} is also on ${names(twins)}, so neither is trusted while both are present` };
    return { ok: true };
  }
  return { ok: false };
}

/** An entry's files, with what each is for. */
function resources(e: ParsedEntry): [string, Resource][] {
  const out: [string, Resource][] = [['kernel', e.kernel]];
  for (const r of e.initrds) out.push(['initrd', r]);
  if (e.devicetree) out.push([e.devicetree.kind === 'file' ? 'device tree' : 'device tree folder', e.devicetree.resource]);
  for (const r of e.overlays) out.push(['overlay', r]);
  return out;
}

/**
 * Why `entry`, read from a config on `self`, needs the password to boot; undefined when it
 * may boot by itself. `present` are the partitions its resources resolve against.
 */
export function passwordReason(entry: ParsedEntry, self: ReadablePartition, present: readonly ReadablePartition[], settings: TrustSettings, origin: ConfigOrigin): string | undefined {
  if (settings.password === undefined) return undefined;
  const trust = origin === 'image' ? ({ ok: true } as const) : trustOf(self, present, settings.trusted ?? []);
  for (const [what, r] of resources(entry)) {
    if (r.partition.by === 'self') continue;
    const where = locatePartition(r.partition, self, present);
    if (!where.ok || same(where.partition, self)) continue; // not there (it cannot boot), or its own partition
    const part = where.partition;
    const twins = present.filter((p) => !same(p, part) && !same(p, self) && carries(p, r.partition));
    if (twins.length > 0) return `${what} ${r.path}: ${describeSelector(r.partition)} names more than one partition here (${names([part, ...twins])}); a copy may be the one that answers`;
    if (trust.ok) continue;
    if (origin === 'disk' && diskOf(part.info.name) === diskOf(self.info.name)) continue;
    const why = trust.why ?? `the settings do not trust ${self.info.name} (trusted:)`;
    return `${what} ${r.path} is on ${part.info.name}, another disk than its config's partition ${self.info.name}; ${why}`;
  }
  return undefined;
}

/** `entry` with the rule applied: `needsPassword` and a note saying why, when it applies. */
export function withTrust<E extends ParsedEntry & { readonly resolution: { readonly ok: boolean } }>(
  entry: E,
  self: ReadablePartition,
  present: readonly ReadablePartition[],
  settings: TrustSettings,
  origin: ConfigOrigin,
): E & { readonly needsPassword?: string } {
  const why = entry.resolution.ok ? passwordReason(entry, self, present, settings, origin) : undefined;
  return why === undefined ? entry : { ...entry, needsPassword: why, notes: [...entry.notes, `Boots only with the password: ${why}.`] };
}
