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
];
