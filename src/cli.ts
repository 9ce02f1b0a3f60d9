#!/usr/bin/env node
// kexec-menu's commands. Each lives in src/cli/<name>.ts and exports `run(argv)`, which
// returns the exit code; this file only dispatches and turns a UsageError into exit 2.
import { UsageError } from './cli/args';
import { writeErr, writeOut } from './cli/output';

type Command = { summary: string; load: () => Promise<{ run(argv: readonly string[]): Promise<number> | number }> };

const commands: Record<string, Command> = {
  list: { summary: 'list the boot entries found (--json, --config FILE, --root DIR[=uuid:X] ...)', load: () => import('./cli/list') },
  boot: { summary: 'boot an entry or a kernel with kexec (ENTRY-ID | --kernel F [--initrd F]... [--dtb F] [--cmdline S]; --dry-run prints the plan)', load: () => import('./cli/boot') },
  reboot: { summary: 'fast reboot of the installed system into its own entry (ENTRY-ID | --default | --menu; --dry-run, --handoff direct|init)', load: () => import('./cli/reboot') },
  crash: { summary: 'crash kernel (kdump): load [ENTRY-ID | --kernel F --initrd F] [--cmdline S], status, unload', load: () => import('./cli/crash') },
  menu: { summary: 'the boot menu on this terminal (--config FILE, --root DIR ..., --dry-run, --plain, --ascii)', load: () => import('./cli/menu') },
  passwd: { summary: 'print the settings\' password hash for a password read from the terminal (--rounds N)', load: () => import('./cli/passwd') },
  disks: { summary: 'list block devices: file system, label, UUID, size, mount state (--json; --mount mounts read-only as the menu does)', load: () => import('./cli/disks') },
  inspect: { summary: 'tell what a file or device is: file system type, label, UUID, size (FILE [--json])', load: () => import('./cli/inspect') },
  'code-cache': { summary: 'write the bundle\'s V8 code cache (once, when the image is made, with the node options the menu runs with)', load: () => import('./cli/code-cache') },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: kexec-menu COMMAND [OPTIONS]\n${lines.join('\n')}\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    writeOut(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    writeErr(`kexec-menu: unknown command '${name}' (try --help)\n`);
    return 2;
  }
  try {
    return await (await command.load()).run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      writeErr(`kexec-menu ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/** Runs the program as a command: its status becomes the exit code; an unexpected error is printed. */
export function runAsCommand(argv: readonly string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      writeErr(`kexec-menu: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) runAsCommand(process.argv.slice(2));
