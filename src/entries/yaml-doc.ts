// Reading our own YAML files (menus and settings) with line numbers, so every complaint can
// name the file, the line and the key. Shared by yaml-menu.ts and settings/load.ts.
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';

export interface YamlText {
  readonly doc: Document.Parsed;
  /** 1-based line of a character offset. */
  line(offset: number): number;
  /** Syntax errors, each with its line and character range. */
  readonly errors: readonly { readonly line: number; readonly pos: readonly [number, number]; readonly message: string }[];
}

export function parseYaml(text: string): YamlText {
  const counter = new LineCounter();
  // We walk the node tree and never call toJS(), so aliases are never expanded ("billion
  // laughs" cannot happen): an alias where a value belongs is reported as a wrong type.
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const line = (offset: number): number => Math.max(1, counter.linePos(offset).line);
  const errors = doc.errors.map((e) => ({
    // An error noticed at the very end (an unclosed quote) belongs to the last line, not the one after it.
    line: line(Math.min(e.pos[0], Math.max(0, text.trimEnd().length - 1))),
    pos: e.pos,
    // yaml's own words ("Map keys must be unique") do not say which key.
    message: e.code === 'DUPLICATE_KEY' ? `key '${keyAt(text, e.pos[0])}' is given twice` : firstSentence(e.message),
  }));
  return { doc, line, errors };
}

/** The key written at an offset (yaml's error range covers only its first character). */
function keyAt(text: string, offset: number): string {
  const m = /^(?:"([^"\n]*)"|'([^'\n]*)'|([^:\s,{}[\]]+))/.exec(text.slice(offset, offset + 100));
  return (m?.[1] ?? m?.[2] ?? m?.[3] ?? '?').slice(0, 64);
}

function firstSentence(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}

/** 1-based line where a node starts (1 when the node has no position, e.g. an empty document). */
export function nodeLine(y: YamlText, node: unknown): number {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? y.line(range[0]) : 1;
}

/** True when a syntax error lies inside the node: its contents cannot be trusted. */
export function containsError(y: YamlText, node: unknown): boolean {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (!range) return false;
  // `<=`: an unclosed quote is noticed where the text ends, which is where the node ends too.
  return y.errors.some((e) => e.pos[0] >= range[0] && e.pos[0] <= range[2]);
}

/** The key of a pair as text (keys of our files are plain words). */
export function keyName(pair: Pair): string {
  const k = pair.key;
  if (isScalar(k)) return String(k.value);
  return String(k);
}

export { isMap, isScalar, isSeq };
export type { Node, Pair, YAMLMap };

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The known word closest to a typo, when it is close enough to be what was meant. */
export function closest(word: string, known: readonly string[]): string | undefined {
  if (word.length > 64) return undefined;
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const k of known) {
    const d = distance(w, k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/** "key 'kernal' is not known (did you mean 'kernel'?)" */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const guess = closest(key, known);
  return `key '${key}' is not known` + (guess ? ` (did you mean '${guess}'?)` : ` (known keys: ${known.join(', ')})`);
}

/** How a YAML value is described in type errors. */
export function describeValue(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isAlias(node)) return `the alias *${node.source}`;
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'empty';
    if (typeof v === 'string') return `the text '${v.length > 40 ? v.slice(0, 40) + '…' : v}'`;
    return `${typeof v} ${String(v)}`;
  }
  return 'empty';
}
