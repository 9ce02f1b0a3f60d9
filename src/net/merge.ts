// How the network's entries join the disks' menu: after them, in a section of their own
// (their partition is the boot server). Used by `list`/`boot --net` and by the menu.
import type { Menu } from '../entries/scan/scan';
import { chooseDefault } from '../entries/scan/default';
import type { NetScan } from './source';

/**
 * The disks' menu with the network's entries after them. The disks' default stays; only
 * when nothing on the disks can boot does the settings' rule pick among the network's.
 */
export function withNetwork(menu: Menu, net: NetScan, rule: string, origin: string): Menu {
  const entries = [...menu.entries, ...net.entries];
  const diagnostics = [...menu.diagnostics, ...net.diagnostics];
  if (menu.defaultId !== undefined) return { ...menu, entries, diagnostics };
  const choice = chooseDefault(net.entries, rule, origin);
  return { ...menu, entries, diagnostics: [...diagnostics, ...choice.diagnostics], ...(choice.id !== undefined ? { defaultId: choice.id } : {}) };
}
