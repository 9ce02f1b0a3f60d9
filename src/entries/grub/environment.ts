// GRUB's variables (grub-core/kern/env.c, normal/context.c). A submenu and `configfile`
// open a new context that starts with only the exported variables of the one before;
// `source` and menu entries share the current one. Also the variables GRUB sets itself
// before and while it reads a config, so the interpreter and `source` set them alike.
import type { MachineContext } from '../../machine/context';
import { grubPlatformOf } from '../../machine/arch';
import { dirname } from '../../fs/paths';
import type { DeviceTable } from './devices';

interface Variable {
  value: string;
  exported: boolean;
}

export class Environment {
  private constructor(private readonly vars: Map<string, Variable>) {}

  static empty(): Environment {
    return new Environment(new Map());
  }

  get(name: string): string | undefined {
    return this.vars.get(name)?.value;
  }

  set(name: string, value: string): void {
    const v = this.vars.get(name);
    if (v) v.value = value;
    else this.vars.set(name, { value, exported: false });
  }

  unset(name: string): void {
    this.vars.delete(name);
  }

  /** GRUB's `export`: an unset variable is created empty. */
  export(name: string): void {
    const v = this.vars.get(name);
    if (v) v.exported = true;
    else this.vars.set(name, { value: '', exported: true });
  }

  /** A new context as GRUB opens one: the exported variables only, still exported. */
  newContext(): Environment {
    const vars = new Map<string, Variable>();
    for (const [name, v] of this.vars) if (v.exported) vars.set(name, { value: v.value, exported: true });
    return new Environment(vars);
  }

  /** An independent copy, for running one menu entry or a branch whose effects must not leak. */
  clone(): Environment {
    const vars = new Map<string, Variable>();
    for (const [name, v] of this.vars) vars.set(name, { value: v.value, exported: v.exported });
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
