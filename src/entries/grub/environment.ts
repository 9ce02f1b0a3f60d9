// GRUB's variables (grub-core/kern/env.c, normal/context.c). A submenu and `configfile`
// open a new context that starts with only the exported variables of the one before;
// `source` and menu entries share the current one. Also the variables GRUB sets itself
// before and while it reads a config, so the interpreter and `source` set them alike.
import type { MachineContext } from '../../machine/context';
import { grubPlatformOf } from '../../machine/arch';
import { dirname } from '../../fs/paths';
import type { DeviceTable } from './devices';
import { setNetVariables } from './network';
import { MAX_ENVIRONMENT_CHARS, MAX_VALUE_LENGTH, MAX_VARIABLES } from './limits';

interface Variable {
  value: string;
  exported: boolean;
  /** The line of the config that set it last, when known (for messages about it). */
  line?: number;
}

/**
 * A context's variables, bounded (limits.ts): a value longer than MAX_VALUE_LENGTH, or one
 * that would take the context past MAX_VARIABLES or MAX_ENVIRONMENT_CHARS, is refused (the
 * variable keeps its value) and the refusal kept for the interpreter to report on the line
 * that asked (takeRefusal).
 */
export class Environment {
  private chars = 0;
  private refused: string | undefined;

  private constructor(private readonly vars: Map<string, Variable>) {
    for (const [name, v] of vars) this.chars += name.length + v.value.length;
  }

  static empty(): Environment {
    return new Environment(new Map());
  }

  /** How many variables it holds (what copying it costs). */
  get size(): number {
    return this.vars.size;
  }

  get(name: string): string | undefined {
    return this.vars.get(name)?.value;
  }

  /** The line that last set `name`, when it was set by a config line. */
  lineOf(name: string): number | undefined {
    return this.vars.get(name)?.line;
  }

  /** Sets `name` unless a limit refuses it (see takeRefusal); `line` is where the config set it. */
  set(name: string, value: string, line?: number): void {
    // GRUB's write hook on root (normal/main.c, grub_env_write_root) drops the parentheses of `(hd0,gpt2)`.
    if (name === 'root' && value.length > 1 && value.startsWith('(') && value.endsWith(')')) value = value.slice(1, -1);
    const v = this.vars.get(name);
    const grows = value.length - (v ? v.value.length : -name.length);
    if (value.length > MAX_VALUE_LENGTH) return this.refuse(`\`${name.slice(0, 40)}\` would hold ${value.length} characters, more than the ${MAX_VALUE_LENGTH} a GRUB variable may hold here; it keeps its value`);
    if (!v && this.vars.size >= MAX_VARIABLES) return this.refuse(`more than ${MAX_VARIABLES} variables; \`${name.slice(0, 40)}\` is not set`);
    if (this.chars + grows > MAX_ENVIRONMENT_CHARS) return this.refuse(`the variables would hold more than ${MAX_ENVIRONMENT_CHARS} characters together; \`${name.slice(0, 40)}\` keeps its value`);
    this.chars += grows;
    if (v) {
      v.value = value;
      if (line !== undefined) v.line = line;
    } else this.vars.set(name, line === undefined ? { value, exported: false } : { value, exported: false, line });
  }

  private refuse(why: string): void {
    this.refused ??= why;
  }

  /** The first set refused since the last call, if any (the interpreter reports it). */
  takeRefusal(): string | undefined {
    const why = this.refused;
    this.refused = undefined;
    return why;
  }

  unset(name: string): void {
    const v = this.vars.get(name);
    if (v) this.chars -= name.length + v.value.length;
    this.vars.delete(name);
  }

  /** GRUB's `export`: an unset variable is created empty. */
  export(name: string): void {
    const v = this.vars.get(name);
    if (v) v.exported = true;
    else {
      this.set(name, '');
      const created = this.vars.get(name);
      if (created) created.exported = true;
    }
  }

  /** A new context as GRUB opens one: the exported variables only, still exported. */
  newContext(): Environment {
    const vars = new Map<string, Variable>();
    for (const [name, v] of this.vars) if (v.exported) vars.set(name, { ...v });
    return new Environment(vars);
  }

  /** An independent copy, for running one menu entry or a branch whose effects must not leak. */
  clone(): Environment {
    const vars = new Map<string, Variable>();
    for (const [name, v] of this.vars) vars.set(name, { ...v });
    return new Environment(vars);
  }
}

/** GRUB sets config_file and config_directory (exported) for the file it reads. */
export function setConfigVariables(env: Environment, selfName: string, path: string): void {
  env.set('config_file', `(${selfName})${path}`);
  env.export('config_file');
  env.set('config_directory', `(${selfName})${dirname(path)}`);
  env.export('config_directory');
}

/** Variables GRUB has set before it reads grub.cfg, for a machine like the one we run on. */
export function initialEnvironment(devices: DeviceTable, configPath: string, machine: MachineContext): Environment {
  const env = Environment.empty();
  const exported = (name: string, value: string): void => {
    env.set(name, value);
    env.export(name);
  };
  exported('root', devices.selfName);
  // GRUB's prefix is the folder it was loaded from; for a grub.cfg that is the config's folder.
  exported('prefix', `(${devices.selfName})${dirname(configPath)}`);
  // kexec-menu runs on machines that boot through UEFI (x86_64, arm64, riscv64…), so configs
  // see GRUB's EFI build there: `grub_platform=efi`.
  const platform = grubPlatformOf(machine.efiArch);
  exported('grub_platform', platform.platform);
  exported('grub_cpu', platform.cpu);
  if (configPath.toLowerCase().startsWith('/efi/')) exported('cmdpath', `(${devices.selfName})${dirname(configPath)}`);
  // normal.mod announces these features; configs test them to choose modern syntax.
  for (const feature of FEATURES) exported(feature, 'y');
  // Read from a boot server: GRUB's net variables, and root, prefix and cmdpath on its device.
  if (devices.network) setNetVariables(env, devices.network, dirname(configPath));
  return env;
}

const FEATURES = [
  'feature_chainloader_bpb',
  'feature_ntldr',
  'feature_platform_search_hint',
  'feature_default_font_path',
  'feature_all_video_module',
  'feature_menuentry_id',
  'feature_menuentry_options',
  'feature_200_final',
  'feature_nativedisk_cmd',
  'feature_timeout_style',
];
