// Which Raspberry Pi is running, from the model string of its device tree, and what the
// firmware does differently per board: the config.txt model filters that match it, the
// kernel it loads when config.txt names none, and the device tree it picks. Sources: the
// config.txt documentation (conditional filters, `kernel`, `arm_64bit`, `upstream_kernel`),
// the revision-code table (board types), and the DTB names in the firmware's boot folder.

export interface PiBoard {
  /** Board type from the revision code (`[board-type=0x0d]`). */
  readonly type: number;
  /** What we call it in messages. */
  readonly name: string;
  /** Model filters that apply: a Pi 3B+ sees [pi3] and [pi3+], a Pi 400 [pi4] and [pi400]. */
  readonly filters: readonly string[];
  /** The CPU family that decides the default kernel. */
  readonly family: 'pi1' | 'pi2' | 'pi3' | 'pi4' | 'pi5';
  /** DTB names the firmware loads for it: its own (downstream) name, then upstream Linux's. */
  readonly dtb: string;
  readonly upstreamDtb?: string;
}

interface BoardRule extends PiBoard {
  /** Tested against the model string, lower-cased, " Plus" written "+", revision dropped. */
  readonly match: RegExp;
}

// Order matters: the first match wins, so longer names come before their prefixes.
const BOARDS: readonly BoardRule[] = [
  { match: /compute module 5 lite/, type: 0x1a, name: 'Compute Module 5 Lite', filters: ['pi5', 'cm5'], family: 'pi5', dtb: 'bcm2712-rpi-cm5l-cm5io.dtb' },
  { match: /compute module 5/, type: 0x18, name: 'Compute Module 5', filters: ['pi5', 'cm5'], family: 'pi5', dtb: 'bcm2712-rpi-cm5-cm5io.dtb' },
  { match: /compute module 4s/, type: 0x15, name: 'Compute Module 4S', filters: ['pi4', 'cm4s'], family: 'pi4', dtb: 'bcm2711-rpi-cm4s.dtb' },
  { match: /compute module 4/, type: 0x14, name: 'Compute Module 4', filters: ['pi4', 'cm4'], family: 'pi4', dtb: 'bcm2711-rpi-cm4.dtb', upstreamDtb: 'bcm2711-rpi-cm4-io.dtb' },
  { match: /compute module 3\+/, type: 0x10, name: 'Compute Module 3+', filters: ['pi3', 'cm3+'], family: 'pi3', dtb: 'bcm2710-rpi-cm3.dtb', upstreamDtb: 'bcm2837-rpi-cm3-io3.dtb' },
  { match: /compute module 3/, type: 0x0a, name: 'Compute Module 3', filters: ['pi3', 'cm3'], family: 'pi3', dtb: 'bcm2710-rpi-cm3.dtb', upstreamDtb: 'bcm2837-rpi-cm3-io3.dtb' },
  { match: /compute module/, type: 0x06, name: 'Compute Module 1', filters: ['pi1', 'cm1'], family: 'pi1', dtb: 'bcm2708-rpi-cm.dtb', upstreamDtb: 'bcm2835-rpi-cm1-io1.dtb' },
  { match: /pi 500/, type: 0x19, name: 'Raspberry Pi 500', filters: ['pi5', 'pi500'], family: 'pi5', dtb: 'bcm2712-rpi-500.dtb' },
  { match: /pi 400/, type: 0x13, name: 'Raspberry Pi 400', filters: ['pi4', 'pi400'], family: 'pi4', dtb: 'bcm2711-rpi-400.dtb', upstreamDtb: 'bcm2711-rpi-400.dtb' },
  { match: /pi 5\b/, type: 0x17, name: 'Raspberry Pi 5', filters: ['pi5'], family: 'pi5', dtb: 'bcm2712-rpi-5-b.dtb' },
  { match: /pi 4\b/, type: 0x11, name: 'Raspberry Pi 4 Model B', filters: ['pi4'], family: 'pi4', dtb: 'bcm2711-rpi-4-b.dtb', upstreamDtb: 'bcm2711-rpi-4-b.dtb' },
  { match: /pi 3 model a\+/, type: 0x0e, name: 'Raspberry Pi 3 Model A+', filters: ['pi3', 'pi3+'], family: 'pi3', dtb: 'bcm2710-rpi-3-b-plus.dtb', upstreamDtb: 'bcm2837-rpi-3-a-plus.dtb' },
  { match: /pi 3 model b\+/, type: 0x0d, name: 'Raspberry Pi 3 Model B+', filters: ['pi3', 'pi3+'], family: 'pi3', dtb: 'bcm2710-rpi-3-b-plus.dtb', upstreamDtb: 'bcm2837-rpi-3-b-plus.dtb' },
  { match: /pi 3\b/, type: 0x08, name: 'Raspberry Pi 3 Model B', filters: ['pi3'], family: 'pi3', dtb: 'bcm2710-rpi-3-b.dtb', upstreamDtb: 'bcm2837-rpi-3-b.dtb' },
  { match: /pi 2\b/, type: 0x04, name: 'Raspberry Pi 2 Model B', filters: ['pi2'], family: 'pi2', dtb: 'bcm2709-rpi-2-b.dtb', upstreamDtb: 'bcm2836-rpi-2-b.dtb' },
  { match: /pi zero 2/, type: 0x12, name: 'Raspberry Pi Zero 2 W', filters: ['pi0', 'pi02'], family: 'pi3', dtb: 'bcm2710-rpi-zero-2-w.dtb', upstreamDtb: 'bcm2837-rpi-zero-2-w.dtb' },
  { match: /pi zero w/, type: 0x0c, name: 'Raspberry Pi Zero W', filters: ['pi0', 'pi0w'], family: 'pi1', dtb: 'bcm2708-rpi-zero-w.dtb', upstreamDtb: 'bcm2835-rpi-zero-w.dtb' },
  { match: /pi zero/, type: 0x09, name: 'Raspberry Pi Zero', filters: ['pi0'], family: 'pi1', dtb: 'bcm2708-rpi-zero.dtb', upstreamDtb: 'bcm2835-rpi-zero.dtb' },
  { match: /pi model b\+/, type: 0x03, name: 'Raspberry Pi Model B+', filters: ['pi1'], family: 'pi1', dtb: 'bcm2708-rpi-b-plus.dtb', upstreamDtb: 'bcm2835-rpi-b-plus.dtb' },
  { match: /pi model a\+/, type: 0x02, name: 'Raspberry Pi Model A+', filters: ['pi1'], family: 'pi1', dtb: 'bcm2708-rpi-b-plus.dtb', upstreamDtb: 'bcm2835-rpi-a-plus.dtb' },
  { match: /pi model b/, type: 0x01, name: 'Raspberry Pi Model B', filters: ['pi1'], family: 'pi1', dtb: 'bcm2708-rpi-b.dtb', upstreamDtb: 'bcm2835-rpi-b.dtb' },
  { match: /pi model a/, type: 0x00, name: 'Raspberry Pi Model A', filters: ['pi1'], family: 'pi1', dtb: 'bcm2708-rpi-b.dtb', upstreamDtb: 'bcm2835-rpi-a.dtb' },
];

/**
 * The board of a device-tree model string: the firmware's ("Raspberry Pi 3 Model B Plus
 * Rev 1.3") or upstream Linux's ("Raspberry Pi 3 Model B+"). Undefined when not a Pi.
 */
export function boardOf(model: string): PiBoard | undefined {
  const m = model
    .replace(/\0/g, '')
    .toLowerCase()
    .replace(/\s+plus\b/g, '+')
    .replace(/\s+rev\s+\S+$/, '')
    .trim();
  if (!/raspberry pi/.test(m)) return undefined;
  const rule = BOARDS.find((b) => b.match.test(m));
  if (!rule) return undefined;
  const { match: _match, ...board } = rule;
  return board;
}

/**
 * Kernel file names the firmware tries when config.txt sets no `kernel`, in order (the first
 * present is loaded). Pi 1 and Zero: kernel.img. Pi 2, 3, Zero 2: kernel7.img, or kernel8.img
 * with arm_64bit=1. Pi 4: kernel8.img (arm_64bit defaults to 1), kernel7l.img with arm_64bit=0.
 * Pi 5: kernel_2712.img, else kernel8.img.
 */
export function defaultKernels(board: PiBoard, arm64bit: boolean | undefined): string[] {
  switch (board.family) {
    case 'pi1':
      return ['kernel.img'];
    case 'pi2':
    case 'pi3':
      return arm64bit ? ['kernel8.img'] : ['kernel7.img'];
    case 'pi4':
      return arm64bit === false ? ['kernel7l.img'] : ['kernel8.img'];
    case 'pi5':
      return ['kernel_2712.img', 'kernel8.img'];
  }
}

/** When the board is unknown: the kernels any Pi of that word size might load, most recent first. */
export function guessKernels(arm64bit: boolean): string[] {
  return arm64bit ? ['kernel8.img', 'kernel_2712.img'] : ['kernel7l.img', 'kernel7.img', 'kernel.img'];
}
