// `kexec-menu passwd`: reads a password (twice, without echo, on a terminal; one line from a
// pipe) and prints the hash for the settings' `password:` key. The salt comes from
// /dev/urandom, so this works on the image's node too, which has no crypto module.
import { readSync } from 'node:fs';
import { urandom } from '../sys/random';
import { DEFAULT_ROUNDS, MAX_ROUNDS, hashPassword } from '../ui/password';
import { UsageError, parseArgs, valueOf } from './args';
import { writeErr, writeOut } from './output';

const USAGE = 'usage: kexec-menu passwd [--rounds N]   (reads the password from the terminal, or one line from stdin)';
const SALT_BYTES = 16;
/** Longer than any password typed at a boot menu; reading stops there. */
const MAX_PASSWORD = 1024;

/** Reads one line from fd 0 byte by byte (no echo handling: the caller set the mode). */
function readLine(echo: boolean): string {
  const bytes: number[] = [];
  const one = Buffer.alloc(1);
  while (bytes.length < MAX_PASSWORD * 4) {
    let n: number;
    try {
      n = readSync(0, one, 0, 1, null);
    } catch (err) {
      if ((err as { code?: string }).code === 'EAGAIN') continue;
      throw err;
    }
    if (n === 0) break;
    const b = one[0]!;
    if (b === 0x0d || b === 0x0a) break;
    if (b === 0x03) throw new UsageError('interrupted');
    if (b === 0x7f || b === 0x08) {
      bytes.pop();
      continue;
    }
    bytes.push(b);
    if (echo) writeErr('*');
  }
  return Buffer.from(bytes).toString('utf8');
}

function ask(prompt: string, tty: boolean): string {
  if (!tty) return readLine(false);
  writeErr(prompt);
  process.stdin.setRawMode(true);
  try {
    return readLine(true);
  } finally {
    process.stdin.setRawMode(false);
    writeErr('\n');
  }
}

export function run(argv: readonly string[]): number {
  const args = parseArgs(argv, { rounds: { value: true }, help: {} });
  if (args.flags.has('help')) {
    writeOut(USAGE + '\n');
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`the password is read from the terminal, not given as an argument (${USAGE.slice(7)})`);
  const roundsText = valueOf(args, 'rounds');
  const rounds = roundsText === undefined ? DEFAULT_ROUNDS : Number(roundsText);
  if (!Number.isInteger(rounds) || rounds < 1000 || rounds > MAX_ROUNDS) throw new UsageError(`--rounds must be a whole number from 1000 to ${MAX_ROUNDS}, not '${roundsText}'`);
  const tty = process.stdin.isTTY === true;
  const password = ask('Password: ', tty);
  if (tty && ask('Again: ', tty) !== password) {
    writeErr('kexec-menu passwd: the two passwords differ; nothing printed.\n');
    return 1;
  }
  if (password === '') {
    writeErr('kexec-menu passwd: an empty password protects nothing; nothing printed.\n');
    return 1;
  }
  writeOut(`${hashPassword(password, urandom(SALT_BYTES), rounds)}\n`);
  return 0;
}
