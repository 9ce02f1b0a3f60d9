// The real boot, shared by `kexec-menu boot` and the menu: load the plan (with the ENOSYS
// fallback), hand over, and if the hand-over fails, unload again so the menu can go on.
import { BootError, explainBootFailure } from './errors';
import { type Handoff, type HandoffSys, cancelBoot, detectInit, handOverDirect, handOverInit } from './handoff';
import { type KexecFileSys, type KexecLoader, loadPlan } from './loader';
import type { BootPlan } from './plan';

export interface ExecuteDeps {
  /** The system-call module (src/sys). */
  readonly sys: KexecFileSys & HandoffSys;
  readonly handoff: Handoff;
  /** From the disks layer: unmounts what kexec-menu mounted; returns what stayed mounted. */
  readonly unmountAll: () => Promise<string[]>;
  readonly tmpDir: string;
  readonly noChecks?: boolean;
  readonly log?: (line: string) => void;
  /** Runs once the kernel is loaded, before the hand-over (reboot: clearing GRUB's next_entry). */
  readonly beforeHandoff?: () => void;
}

/**
 * Loads and starts the planned kernel. Returns only when init was asked to do the rest
 * (`init`); with `direct` it returns never on success. Throws BootError with one sentence
 * on any failure, after unloading whatever had been loaded.
 */
export async function executePlan(plan: BootPlan, deps: ExecuteDeps): Promise<void> {
  const log = deps.log ?? (() => {});
  for (const w of plan.warnings) log(`warning: ${w}`);
  const loader: KexecLoader = await loadPlan(plan, { sys: () => deps.sys, tmpDir: deps.tmpDir, ...(deps.noChecks ? { noChecks: true } : {}), log });
  log(`Loaded ${plan.kernel.path} with ${loader.method}; handing over (${deps.handoff}).`);
  try {
    deps.beforeHandoff?.();
    if (deps.handoff === 'direct') await handOverDirect({ sys: deps.sys, unmountAll: deps.unmountAll, log });
    else await handOverInit({ init: detectInit(), signalInit: (s) => process.kill(1, s) });
  } catch (err) {
    const unloadProblem = await cancelBoot(loader);
    const sentence = explainBootFailure(err, { stage: 'exec' });
    throw new BootError(unloadProblem ? `${sentence} Unloading it failed too: ${unloadProblem}` : sentence, err instanceof BootError ? err.code : (err as { code?: string }).code);
  }
}
