// The menu for a terminal that cannot address the cursor (TERM unset or `dumb`, a log
// console, a pipe): numbered lines and a prompt, like u-root's boot menu. The same controller
// runs underneath; a typed line is turned into the keys the full screen would get.
import type { Clock } from './clock';
import type { Finish, MenuController, Overlay } from './controller';
import { type Key, char, ctrl, named } from './keys';
import { readKeys } from './input';
import { asciiOnly, printable } from './terminal-text';
import { entryTitle, progressText, statusText } from './text';

type Input = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

export interface PlainOptions {
  readonly input: Input;
  readonly output: NodeJS.WritableStream;
  readonly product: string;
  readonly machine?: string;
  readonly clock: Clock;
  readonly ascii: boolean;
}

const PROMPT = 'Choice (number, e N edit, s shell, r rescan, ? help, q quit): ';

export function runPlainMenu(c: MenuController, o: PlainOptions): Promise<Finish> {
  const out = (text: string) => o.output.write((o.ascii ? asciiOnly(text) : text).replace(/\n/g, '\r\n'));
  const safe = (text: string) => printable(text, false);
  let line = '';
  let lastStatus = '';
  let lastOverlay: Overlay['kind'] = 'none';
  /** Whether the terminal echoes (a raw TTY does not: we echo typed characters ourselves). */
  const weEcho = !!o.input.isTTY;

  const printMenu = () => {
    printedIds = idsNow();
    out(`\n${o.product}${o.machine ? ` on ${safe(o.machine)}` : ''}\n`);
    let group: string | undefined;
    for (const row of c.listRows) {
      if (row.kind === 'group') {
        group = row.label;
        out(`  ${safe(group)}:\n`);
      } else if (row.kind === 'entry') {
        const why = c.cannotBoot(row.entry);
        const locked = why === undefined && row.entry.needsPassword !== undefined;
        const mark = row.id === c.defaultId ? '*' : why !== undefined ? '!' : locked ? '#' : ' ';
        const after = why !== undefined ? ` (cannot boot: ${safe(why)})` : locked ? ' (boots with the password)' : '';
        out(`  ${String(row.number).padStart(3)}. ${mark} ${safe(entryTitle(row.entry))}${after}\n`);
      } else {
        const word = row.id === 'action:shell' ? 's' : row.id === 'action:reboot' ? 'reboot' : 'poweroff';
        out(`  ${word.padStart(8)}  ${row.label}\n`);
      }
    }
  };
  const prompt = () => {
    const o2 = c.overlay;
    if (o2.kind === 'password') out('Password (empty line cancels): ');
    else if (o2.kind === 'edit') out('New command line (+WORDS appends, empty cancels): ');
    else if (o2.kind === 'dialog') out(o2.confirm ? '[y/n] ' : '[Enter] ');
    else if (o2.kind === 'none') out(PROMPT);
    out(line && o2.kind !== 'password' ? line : '');
  };

  const showOverlay = () => {
    const ov = c.overlay;
    // The password overlay changes with every key the line is typed into (submit): only a new
    // prompt (opened, or after a try: the line empty again) is said, with the try's note.
    if (ov.kind === 'password' && lastOverlay === 'password' && ov.line.text !== '') return;
    if (ov.kind === lastOverlay && ov.kind !== 'password' && ov.kind !== 'busy') return;
    lastOverlay = ov.kind;
    switch (ov.kind) {
      case 'dialog':
        out(`\n${safe(ov.title)}: ${safe(ov.text)}\n`);
        break;
      case 'edit': {
        const e = c.entries.find((x) => x.id === ov.entryId);
        out(`\nCommand line of '${safe(e?.title ?? '')}' (this boot only):\n  ${safe(ov.line.text)}\n`);
        break;
      }
      case 'password':
        if (ov.note) out(`\n${ov.note}\n`);
        break;
      case 'busy':
        if (ov.progress && ov.progress.done === ov.progress.total) out(`${safe(progressText(ov.progress))}\n`);
        else if (!ov.progress) out(`\n${safe(ov.title)}...\n`);
        return; // no prompt while busy
      case 'help':
        out('\nType an entry number and Enter to boot it; "e N" edits entry N\'s command line for this boot;\n"s" starts the rescue shell, "r" reads the disks again, "reboot", "poweroff", "q" leaves.\n');
        break;
      case 'none':
        break;
    }
    if (ov.kind !== 'help') prompt();
  };

  /** The entries last printed: the list is printed again only when they change (hot-plug). */
  let printedIds = '';
  const idsNow = () => c.listRows.map((r) => (r.kind === 'group' ? '' : r.id)).join('\n');

  /** Lines typed ahead while the partitions are still read: answered once the list is complete. */
  const held: string[] = [];
  c.onChange((parts) => {
    let prompted = false;
    // Printed again once the reading is over, not at each partition read (a slow serial line).
    if (parts.has('list') && !c.scanning && idsNow() !== printedIds) {
      printMenu();
      prompt();
      prompted = true;
    }
    if (!c.scanning) for (const text of held.splice(0)) submit(text);
    const s = statusText(c);
    // The countdown is said once when it starts, not every second (and its wait for the network once).
    const countdownRunning = c.countdown.kind === 'running';
    const key = countdownRunning ? 'countdown' : c.countdown.kind === 'network' ? 'network' : s;
    if (parts.has('status') && key !== lastStatus) {
      lastStatus = key;
      if (s && (countdownRunning || key === 'network' || c.message)) {
        out(`\n${safe(countdownRunning || key === 'network' ? s.replace(/any key to stop/, 'press Enter to stop') : s)}\n`);
        if (c.overlay.kind === 'none' && !prompted) prompt();
      }
    }
    if (parts.has('overlay')) showOverlay();
  });

  /** The typed line as the keys the full-screen menu would have got. */
  const submit = (text: string) => {
    const ov = c.overlay;
    const keys: Key[] = [];
    const typed = (s: string) => [...s].forEach((ch) => keys.push(char(ch)));
    if (ov.kind === 'password') {
      if (text === '') keys.push(named('escape'));
      else {
        typed(text);
        keys.push(named('enter'));
      }
    } else if (ov.kind === 'edit') {
      const t = text.trim();
      if (t === '') keys.push(named('escape'));
      else {
        if (t.startsWith('+')) {
          keys.push(ctrl('e'));
          typed(' ' + t.slice(1).trim());
        } else {
          keys.push(ctrl('a'), ctrl('k'));
          typed(t);
        }
        keys.push(named('enter'));
      }
    } else if (ov.kind === 'dialog') {
      keys.push(ov.confirm && /^y/i.test(text.trim()) ? char('y') : ov.confirm ? char('n') : named('enter'));
    } else if (ov.kind === 'help') {
      keys.push(named('enter'));
    } else if (ov.kind === 'none') {
      const t = text.trim();
      const edit = /^e\s*(\d+)?$/.exec(t);
      if (/^\d+$/.test(t)) {
        typed(t);
        keys.push(named('enter'));
      } else if (edit) {
        if (edit[1]) typed(edit[1]);
        keys.push(char('e'));
      } else if (t === 'reboot' || t === 'poweroff') {
        keys.push(named('end'));
        if (t === 'reboot') keys.push(named('up'));
        keys.push(named('enter'));
      } else if (t.length === 1 && 'sr?q'.includes(t)) keys.push(char(t));
      else if (t !== '') {
        out(`Unknown choice '${safe(t)}'.\n`);
        prompt();
      } else prompt();
    }
    for (const k of keys) c.handleKey(k);
  };

  return new Promise<Finish>((resolve) => {
    printMenu();
    queueMicrotask(prompt); // after the countdown, if it starts at once, has been said
    const keys = readKeys(o.input, o.clock, (k) => {
      if (k.kind === 'named' && k.name === 'enter') {
        const text = line;
        line = '';
        if (weEcho) out('\n');
        if (c.countdown.kind !== 'off') c.handleKey(named('escape')); // Enter alone stops the countdown
        if (c.scanning) held.push(text);
        else submit(text);
        return;
      }
      if (k.kind === 'named' && k.name === 'backspace') {
        if (line) {
          line = line.slice(0, -1);
          if (weEcho) o.output.write('\b \b'); // not through out(): asciiOnly would make the BS a '?'
        }
        return;
      }
      if (k.kind === 'ctrl' && k.letter === 'u') {
        line = '';
        return;
      }
      if (k.kind === 'char') {
        if (c.countdown.kind !== 'off') c.handleKey(named('escape'));
        line += k.ch;
        // A password shows as one '*' a character, never as itself.
        if (weEcho) out(c.overlay.kind === 'password' ? '*' : k.ch);
      }
    });
    c.setTerminal({ release: () => keys.pause(), reclaim: () => keys.resume() });
    c.onFinish((f) => {
      keys.close();
      out('\n');
      resolve(f);
    });
  });
}
