// How the network's entries join the disks' menu: after them, in a section of their own
// (their partition is the boot server), each through the trust rule (entries/scan/trust.ts:
// with a password, an entry of a boot server the settings do not trust boots only with it).
// Used by `list`/`boot --net` and by the menu, whose countdown asks defaultAwaitsNetwork.
import type { BootEntry } from '../entries/model';
import type { Menu } from '../entries/scan/scan';
import { compileGlob } from '../entries/bls-glob';
import { chooseDefault, noMatchMessage } from '../entries/scan/default';
import { SAVED } from '../entries/scan/saved';
import { type TrustSettings, withServerTrust } from '../entries/scan/trust';
import type { NetScan } from './source';

/** What the merge reads of the settings (Settings and ScanSettings satisfy it). */
export interface MergeSettings extends TrustSettings {
  /** 'auto', '@saved' or a glob matched against entry ids, then titles. */
  readonly default: string;
  readonly file?: string;
  readonly defaultOrigin?: string;
}

/** The settings' default as a test when it is a glob (not auto or @saved): only a glob can name a boot server's entry. */
function globOf(rule: string): ((e: BootEntry) => boolean) | undefined {
  if (rule === 'auto' || rule.toLowerCase() === SAVED) return undefined;
  const re = compileGlob(rule, 'simple');
  return (e) => re.test(e.id) || re.test(e.title);
}

/**
 * The disks' menu with the network's entries after them. The disks' default stays, unless
 * nothing on the disks can boot by itself, or the settings' default is a glob that names
 * nothing before these entries and names one of them (then it is the default if it can boot
 * by itself).
 */
export function withNetwork(menu: Menu, net: NetScan, settings: MergeSettings): Menu {
  const rule = settings.default;
  const own = net.entries.map((e) => withServerTrust(e, net.config, settings));
  const entries = [...menu.entries, ...own];
  const glob = globOf(rule);
  const named = glob !== undefined && !menu.entries.some(glob) && own.some(glob);
  // The glob names one of these: the disks' warning that it names nothing is no longer true.
  const diagnostics = [...menu.diagnostics, ...net.diagnostics].filter((d) => !named || d.message !== noMatchMessage(rule));
  if (menu.defaultId !== undefined && !named) return { ...menu, entries, diagnostics };
  // `@saved` names what the disks' store remembers, never a server's entry (docs/network.md):
  // among these, the automatic rule picks, without a note about a store it was not given.
  const choice = chooseDefault(own, rule === SAVED ? 'auto' : rule, settings.defaultOrigin ?? settings.file ?? 'settings');
  // With a match, a diagnostic means it cannot boot by itself: the disks' default, if any, stays.
  const id = named && choice.diagnostics.length > 0 ? (menu.defaultId ?? choice.id) : choice.id;
  const added = choice.diagnostics.filter((d) => !diagnostics.some((k) => k.message === d.message));
  return { ...menu, entries, diagnostics: [...diagnostics, ...added], ...(id !== undefined ? { defaultId: id } : {}) };
}

/**
 * Whether the countdown's default may still come from a boot server not read yet: nothing
 * in the menu boots by itself, or the settings' default is a glob that names no entry of it.
 */
export function defaultAwaitsNetwork(entries: readonly BootEntry[], bootsByItself: boolean, rule: string): boolean {
  const glob = globOf(rule);
  return !bootsByItself || (glob !== undefined && !entries.some(glob));
}
