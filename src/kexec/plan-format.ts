// A boot plan as text (`boot --dry-run`, the menu's details) and as JSON (`--json`).
import type { BootPlan } from './plan';

function size(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * What will be called, exactly: a crash plan (`crash load`) names the on-crash flag of the
 * system call or `kexec -p`, its fallback too.
 */
function methodLine(plan: BootPlan): string {
  const tools = `${plan.kexecProgram} ${plan.crash ? '-p' : '-l'}`;
  const native = `kexec_load${plan.crash ? ' with KEXEC_ON_CRASH' : ''}`;
  if (plan.method === 'kexec-tools') return `kexec-tools (${tools})`;
  if (plan.method === 'kexec_load') return `${native} (kexec-menu's own segments, no kexec-tools)`;
  const fallback = plan.fallback === 'kexec_load' ? `kexec-menu's own ${native}` : plan.fallback ? tools : undefined;
  return `kexec_file_load${plan.crash ? ' with KEXEC_FILE_ON_CRASH' : ''}${fallback ? ` (falls back to ${fallback} if the kernel lacks it)` : ''}`;
}

export function formatPlan(plan: BootPlan): string {
  const out: string[] = [];
  const row = (label: string, text: string) => out.push(`${(label + ':').padEnd(9)} ${text}`);
  const more = (text: string) => out.push(`${' '.repeat(10)}${text}`);
  row('entry', plan.label);
  row('method', methodLine(plan));
  const k = plan.kernel;
  row('kernel', `${k.path} (${size(k.size)})`);
  more(k.description);
  if (k.version) more(`version ${k.version}`);
  if (k.unpack) more(`decompressed (${k.unpack.method}) before loading${k.unpack.size !== undefined ? ` to ${size(k.unpack.size)}` : ''}`);
  if (plan.initrds.length === 0) row('initrd', 'none');
  plan.initrds.forEach((f, i) => {
    const text = `${f.path} (${size(f.size)})`;
    if (i === 0) row('initrd', text);
    else more(text);
  });
  if (plan.initrds.length > 1) more(`concatenated: ${size(plan.initrdSize)}`);
  if (plan.dtb) {
    const d = plan.dtb;
    row('dtb', `${d.source} (${size(d.bytes.length)} after fix-up)${plan.method === 'kexec_file_load' ? `, used only by the ${plan.fallback === 'kexec_load' ? 'kexec_load' : 'kexec-tools'} fallback` : ''}`);
    more(d.reason);
    for (const c of d.changes) more(c);
  } else row('dtb', 'none');
  row('cmdline', `${plan.cmdline} (${plan.cmdline.length} bytes)`);
  for (const w of plan.warnings) row('warning', w);
  for (const n of plan.notes) row('note', n);
  return out.join('\n') + '\n';
}

/** The plan without the DTB bytes, for `--json`. */
export function planJson(plan: BootPlan): object {
  const { dtb, ...rest } = plan;
  return {
    ...rest,
    dtb: dtb ? { source: dtb.source, origin: dtb.origin, reason: dtb.reason, size: dtb.bytes.length, changes: dtb.changes } : null,
  };
}
