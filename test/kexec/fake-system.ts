// A running system for planner tests: an x86_64 PC with kexec-tools on PATH, no device tree
// (the tests change `arch` and the rest as they need).
import { urandom } from '../../src/sys/random';
import type { RunningSystem } from '../../src/kexec/system';

export const PC: RunningSystem = {
  arch: 'x86_64',
  procCmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=UUID=2f4a3c1e ro quiet',
  runningFdt: () => undefined,
  runningFdtSource: '/sys/firmware/fdt',
  kexecProgram: '/usr/sbin/kexec',
  random: urandom,
  isRoot: true,
  tmpDir: '/tmp',
};
