// Start-up changes made for issue 7 and what they measured before and after, recorded when
// each was made (the "before" code is gone, so a later run cannot measure it again).
// bench/report.ts prints them in docs/performance.md.
import type { RecordedChange } from './report';

export const CHANGES: readonly RecordedChange[] = [
  {
    change:
      'Background kernel checks start after the first frame and let the event loop turn every 16 checks (a check that settles without I/O chained all of them in microtasks, so no output left before the last); the next unchecked entry is found from where the last one was, not from the top',
    where: 'src/ui/controller.ts (runChecks, checkLater); test/ui/checks.test.ts',
    before: 'menu with 1,000 entries: first frame after 3.2–3.9 s (3 runs, host node 20, bundle)',
    after: '0.61–0.86 s (3 runs, same)',
  },
  {
    change:
      "The countdown's candidate list deduplicated with a set instead of a list search (quadratic), and computed for the status line only while the countdown runs (it was recomputed after every background check)",
    where: 'src/ui/controller.ts (candidates), src/ui/text.ts (statusText)',
    before: "menu with 1,000 entries: 1.76 s of CPU in candidates' add() and 0.5 s more in cannotBoot/candidates (CPU profile)",
    after: 'neither appears among the top functions of the profile',
  },
  {
    change:
      'The kexec layer (plan, kernel inspection, execute, device-tree match) and child_process load on first use instead of with the menu; the background checks, which load it, start one event-loop turn after the first frame is written',
    where: 'src/ui/system-backend.ts (kexec()), src/ui/controller.ts (checkLater(2))',
    before: 'require(src/ui/system-backend) on Node 22, build/: median 62–76 ms, min 51–54 ms (2×10 runs); bundle, time to the first write: median 225 ms (30 runs)',
    after: 'median 61–64 ms, min 43–47 ms; bundle: median 214 ms (30 runs, interleaved with the before runs; the difference is within the noise)',
  },
  {
    change: "blessed's terminfo capabilities (several hundred, each compiled with new Function) compiled on first use instead of all when the screen is made",
    where: 'src/ui/lazy-terminfo.ts, src/ui/view.ts; test/ui/lazy-terminfo.test.ts',
    before: 'setting up the terminal (new Tput) on Node 22: vt100 10.3 ms, linux 10.5 ms, xterm-256color 17–20 ms (4 runs)',
    after: 'vt100 6.1 ms, linux 5.8 ms, xterm-256color 8.0–8.2 ms; the whole first frame: within the noise of 30 interleaved runs',
  },
  {
    change: "blessed's screen, box and tput modules loaded on their own instead of blessed's index, which loads and runs all 40 widget modules (terminal, images, video, file manager…)",
    where: 'src/ui/view.ts',
    before: 'menu, bundle, first frame (with the pty harness): Node 22 median 202 ms, min 159 ms (30 runs); Node 20 median 245 ms, min 225 ms (20 runs)',
    after: 'Node 22 median 173 ms, min 152 ms; Node 20 median 236 ms, min 212 ms (interleaved with the before runs)',
  },
  {
    change: 'Disk discovery off the first frame\'s path: the menu is drawn before any device is read; each device\'s first 128 KiB are awaited off the main thread, the event loop turns between devices, and the menu fills in device by device with a "scanning..." heading for each device not yet read',
    where: 'src/disks/discovery.ts, src/disks/provider.ts, src/ui/rows.ts; test/disks/discovery.test.ts, test/ui/menu.test.ts',
    before: 'QEMU (amd64, three disks), kernel banner to the first frame, which already showed the entries: 10.3–11.2 s, median 10.4 s (3 runs)',
    after: 'first frame 8.6–11.1 s, median 9.8 s, entries 0.8–0.9 s after it in every run (3 runs interleaved with the before runs; the BusyBox shell itself took 4.4–7.6 s meanwhile)',
  },
  {
    change: 'The background kernel check reads only the header (kexecVerdictOfFile): no search for the version banner through the whole image, and a compressed image decompressed only as far as its header',
    where: 'src/kexec/inspect.ts, src/ui/system-backend.ts; test/kexec/inspect.test.ts',
    before: "Debian's arm64 Image (31 MiB): 15.1 MiB read per entry's kernel; the same gzip'd (11 MiB): the whole file read and decompressed, 99–127 ms",
    after: '64 KiB read, 0.1–0.3 ms; gzip: 2.1 MiB read, 1.8–3.2 ms',
  },
  {
    change: 'UAPI version comparison (the BLS sort order) over char codes, without slices, regular expressions or an array per step',
    where: 'src/entries/version.ts',
    before: 'sorting 1,000 BLS entry ids (machine-id + version): 7.5 ms',
    after: '3.1 ms; the same order as before on 500,000 random pairs, and bootctl still agrees',
  },
  {
    change: "blessed's index kept out of the bundle: blessed-contrib's log and gauge get the three blessed widgets they use (Node, Box, List) instead of the index with all 40 widgets (terminal, images with a PNG decoder, video...), blessed's tab-width code gets the screen module instead of the index, and drawille's canvas gets gl-matrix's mat2d and vec2 instead of all of it. None of it ran at start-up, but V8 parses the whole bundle at every start",
    where: 'scripts/bundle.mjs (fails the bundle if the index comes back); test/ui/tmux.test.ts runs the bundle in tmux: the same screens, the log panel, and the boot with the gauge (which a missing piece of gl-matrix breaks)',
    before: 'bundle 745 KiB from 243 modules; compiling it (vm.Script, fresh process, 25 runs): Node 22 median 27.5 ms (min 18.9), Node 20 26.0 ms (min 18.4)',
    after: '621 KiB from 218 modules; Node 22 23.7 ms (min 15.7), Node 20 23.5 ms (min 15.9); the first frame itself: within the noise of 25 interleaved runs (Node 22 median 210 before, 217 after; Node 20 334, 319)',
  },
  {
    change: "The bundle compiles itself through a V8 code cache: its first lines hold the program as a string and compile it with node:vm, giving V8 the cache that `kexec-menu code-cache` wrote beside it after drawing the menu once off screen; the image's own node writes it when the image is made (scripts/image.sh, kexec-menu.mk under Buildroot's host QEMU) with the launcher's node options",
    where: 'scripts/bundle.mjs, src/code-cache.ts, src/cli/code-cache.ts, scripts/image.sh, buildroot-external/package/kexec-menu/kexec-menu.mk; test/ui/tmux.test.ts, test/vm/menu.test.ts, test/vm/raspi3b.test.ts',
    before: 'first frame of the demo with the pty harness (25 interleaved runs): Node 22 median 176 ms (min 148), Node 20 247 ms (min 215); QEMU amd64, kernel banner to the first frame: median 13.0 s (11.4–15.8), entries 14.1 s (5 boots)',
    after: 'Node 22 median 108 ms (min 95), Node 20 183 ms (min 155); QEMU: first frame median 11.1 s (10.1–16.1), entries 11.8 s (5 boots interleaved with the before boots; the VM was very noisy)',
  },
];
