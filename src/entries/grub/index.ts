// GRUB's grub.cfg as GRUB itself reads it: a lexer and parser for its script language, a
// small interpreter that runs the config the way GRUB does before showing its menu (load_env,
// search, functions, if/for, blscfg, source/configfile), then runs each entry's body the way
// GRUB does when it is chosen, and lists what the Linux loader commands load.
import type { Diagnostic } from '../../fs/diagnostic';
import type { ConfigTimeoutAt, FormatParser, ParsedEntry, ParseResult } from '../model';
import type { MachineContext } from '../../machine/context';
import type { PartitionFiles } from '../../fs/files';
import { DeviceTable } from './devices';
import { initialEnvironment } from './environment';
import { Interpreter } from './evaluate';
import type { PartitionCounts } from './limits';
import { Listing, LocalIds } from './listing';
import { findConfigs } from './locations';
import { grubStrtoul, type Menu } from './menu';
import type { GrubNetwork } from './network';
import { GRUB_COMMANDS } from './registry';

export type { GrubNetwork } from './network';

/**
 * The GRUB reader. With `network` the files are a boot server's (the network source's view):
 * GRUB's net variables are set, and `(tftp)`, `(http,SERVER)` name files on that server or another.
 */
export function grubParserFor(network?: GrubNetwork): FormatParser {
  return { format: 'grub', parse: (files, partition, machine) => parseGrub(files, partition, machine, network) };
}

export const grubParser: FormatParser = grubParserFor();

function parseGrub(files: PartitionFiles, partition: string, machine: MachineContext, network: GrubNetwork | undefined): ParseResult {
  const entries: ParsedEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  const localIds = new LocalIds();
  const listed = new Set<string>();
  let configTimeout: { seconds: number; at: ConfigTimeoutAt } | undefined;
  // One partition's configs together: the files they read and the menu entries they make are capped.
  const counts: PartitionCounts = { filesRead: 0, menuEntries: 0 };
  let interp: Interpreter | undefined;
  try {
    for (const config of findConfigs(files)) {
      if (listed.has(config.realPath)) continue;
      const devices = new DeviceTable(partition, network);
      interp = new Interpreter(GRUB_COMMANDS, files, devices, machine, partition, listed, counts);
      const read = interp.readConfig(config.realPath, { file: config.path, line: 1 });
      if (read) {
        const menu = interp.runMenuFile(config.path, read.realPath, read.text, initialEnvironment(devices, network ? read.realPath : config.path, machine));
        interp.startListing();
        new Listing(interp, entries, localIds).menu(menu, [], true);
        const timeout = menuTimeout(menu, config.path, interp);
        if (configTimeout === undefined) configTimeout = timeout;
      }
      for (const d of interp.diagnostics) diagnostics.push(d);
      interp = undefined;
    }
  } catch (e) {
    // A bug here must not cost the rest of the menu: report it on the line running and keep what was found.
    for (const d of interp?.diagnostics ?? []) diagnostics.push(d);
    const at = interp?.where ?? { file: '/', line: 1 };
    diagnostics.push({ severity: 'error', file: at.file, line: at.line, message: `the GRUB reader failed (${e instanceof Error ? e.message : String(e)}); entries after this point are missing` });
  }
  return configTimeout === undefined ? { entries, diagnostics } : { entries, diagnostics, configTimeout: configTimeout.seconds, configTimeoutAt: configTimeout.at };
}

/** The timeout of the menu GRUB shows first (`timeout`, GRUB's strtoul) and where it was set, noting a hidden menu. */
function menuTimeout(menu: Menu, file: string, interp: Interpreter): { seconds: number; at: ConfigTimeoutAt } | undefined {
  const shown = menu.nested[0] ?? menu;
  const value = shown.env.get('timeout');
  const n = value === undefined ? undefined : grubStrtoul(value);
  // GRUB reads the number at the start and ignores what follows; no digits: no timeout.
  if (n === undefined) return undefined;
  const hidden = shown.env.get('timeout_style') === 'hidden';
  if (hidden) {
    interp.report(file, shown.env.lineOf('timeout_style') ?? shown.env.lineOf('timeout') ?? 1, 'info', `GRUB hides its menu here (timeout_style=hidden) and boots the default after ${n.value} s unless Esc or Shift is pressed`);
  }
  const line = shown.env.lineOf('timeout');
  const says = `timeout=${value}${hidden ? ', timeout_style=hidden' : ''}`;
  return { seconds: n.value, at: { file, ...(line !== undefined ? { line } : {}), says, ...(hidden ? { hiddenMenu: true } : {}) } };
}
