// From GRUB's menu to the entries kexec-menu lists: every entry's body is run as GRUB runs
// it when chosen (with the variables as the config left them), every submenu's body as
// GRUB runs it when entered (a new context with the exported variables and the rest of
// `default` after its `>`), and the default is followed down the submenus GRUB would open.
import type { ParsedEntry } from '../model';
import { kernelVersion, loaderCmdline, type BootRecord } from './boot-record';
import type { Interpreter } from './evaluate';
import { BudgetExhausted } from './limits';
import { otherServerNotes } from './network';
import { defaultIndex, submenuDefault, type Menu, type MenuItem } from './menu';

/** How the other loaders GRUB has read in a menu entry's body. */
const LOADER_WORDS: Readonly<Record<string, string>> = {
  chainloader: 'chain-loads another boot loader (chainloader)',
  multiboot: 'starts a Multiboot kernel (multiboot)',
  multiboot2: 'starts a Multiboot2 kernel such as Xen (multiboot2)',
  fwsetup: "reboots into the firmware's setup (fwsetup)",
  reboot: 'reboots the machine',
  halt: 'powers the machine off',
  exit: 'leaves GRUB (exit)',
};

export class Listing {
  constructor(
    private readonly interp: Interpreter,
    /** Where entries go: shared by every config of the partition. */
    readonly entries: ParsedEntry[],
    /** Local ids already given on this partition. */
    private readonly localIds: LocalIds,
  ) {}

  /**
   * Lists a menu. `titles` is the submenu path above it; `onDefaultPath` says GRUB would
   * reach this menu when booting its default.
   */
  menu(menu: Menu, titles: readonly string[], onDefaultPath: boolean): void {
    // A `configfile` at menu level shows that menu at once; this one comes back only after Esc.
    menu.nested.forEach((nested, k) => this.menu(nested, titles, onDefaultPath && k === 0));
    const ownDefault = onDefaultPath && menu.nested.length === 0;
    const value = menu.env.get('default');
    const d = menu.items.length > 0 ? defaultIndex(menu.items, value) : -1;
    menu.items.forEach((item, i) => {
      if (this.interp.exhausted) return;
      const isDefault = ownDefault && i === d;
      const path = [...titles, item.title];
      if (item.hidden) {
        this.interp.report(item.file, item.line, 'info', `"${path.join(' > ')}" is a hiddenentry: GRUB never shows it in its menu (only a hotkey starts it), so it is not listed`);
        return;
      }
      try {
        if (item.kind === 'submenu') {
          const env = this.interp.copyEnvironment(menu.env, 'context');
          const tail = submenuDefault(value);
          if (tail !== undefined) env.set('default', tail);
          this.menu(this.interp.runSubmenu(item, env), path, isDefault);
        } else {
          this.entry(item, menu, path, isDefault);
        }
      } catch (e) {
        if (e instanceof BudgetExhausted && e.scope === 'entry') {
          this.interp.report(item.file, item.line, 'warning', `"${path.join(' > ')}" runs too many commands (a loop that does not end?); not listed`);
        } else this.interp.stopped(e);
      }
    });
  }

  private entry(item: MenuItem, menu: Menu, path: readonly string[], isDefault: boolean): void {
    const env = this.interp.copyEnvironment(menu.env, 'clone');
    const boot = this.interp.runEntry(item, env);
    const title = path.join(' > ');
    const skip = (why: string): void => this.interp.report(item.file, item.line, 'info', `"${title}" ${why}; not listed`);
    if (boot.configfile) {
      if ('unreadable' in boot.configfile) return skip(boot.configfile.unreadable);
      const read = this.interp.readConfig(boot.configfile.path, { file: item.file, line: boot.configfile.line });
      if (!read) return skip(`opens the menu of ${boot.configfile.path}, which cannot be read`);
      this.menu(this.interp.runMenuFile(boot.configfile.path, read.realPath, read.text, this.interp.copyEnvironment(env, 'context')), path, isDefault);
      return;
    }
    if (boot.otherLoader) return skip(`${LOADER_WORDS[boot.otherLoader.command] ?? `uses GRUB's ${boot.otherLoader.command}`}, which kexec cannot do`);
    if (!boot.kernel) return skip('loads no Linux kernel');
    this.entries.push(this.parsedEntry(item, boot, boot.kernel, title, isDefault, menu));
  }

  private parsedEntry(item: MenuItem, boot: BootRecord, kernel: NonNullable<BootRecord['kernel']>, title: string, isDefault: boolean, menu: Menu): ParsedEntry {
    const notes = [...item.notes, ...boot.notes, ...otherServerNotes([kernel.resource, ...boot.initrds, boot.devicetree], this.interp.devices.network)];
    if (item.restriction !== 'unrestricted' && (menu.env.get('superusers') ?? '') !== '') {
      notes.push('GRUB asks for a password before booting this entry');
    }
    const version = item.bls?.version ?? kernelVersion(kernel.resource.path);
    return {
      localId: this.localIds.take(item.explicitId ? item.id : title),
      title,
      ...(version !== undefined ? { version } : {}),
      kernel: kernel.resource,
      initrds: boot.initrds,
      ...(boot.devicetree ? { devicetree: { kind: 'file' as const, resource: boot.devicetree } } : {}),
      overlays: [],
      cmdline: loaderCmdline(kernel.args),
      reuseCmdline: false,
      isDefault,
      notes: [...new Set(notes)],
      source: { format: 'grub', file: item.file, line: item.line, partition: this.interp.partition },
    };
  }
}

/**
 * Local ids must be unique on a partition: a repeat gets `~2`, `~3`… in list order, which is
 * stable across rescans. The next free suffix is remembered per id, so a generated config
 * that repeats one id thousands of times stays linear.
 */
export class LocalIds {
  private readonly used = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();

  take(id: string): string {
    let candidate = id;
    let n = this.nextSuffix.get(id) ?? 2;
    while (this.used.has(candidate)) candidate = `${id}~${n++}`;
    this.nextSuffix.set(id, n);
    this.used.add(candidate);
    return candidate;
  }
}
