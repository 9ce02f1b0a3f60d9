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
  // Deep nesting costs the yaml package memory far beyond the text's size (400 KB of `[`:
  // 300 MB), so it is refused before the text reaches it.
  const deep = deepNesting(text);
  if (deep !== undefined) {
    const empty = parseDocument('');
    return { doc: empty, line: (offset) => lineOf(text, offset), errors: [{ line: deep.line, pos: [deep.offset, deep.offset + 1], message: deep.message }] };
  }
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

/** Deeper than this, flow collections (`[[[…`, `{a: {a: …`) or block indicators on one line (`- - - …`), is not one of our files. */
export const MAX_YAML_NESTING = 32;

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const SPACE = new Set([' ', '\t', '\r']);

/**
 * Where the text first nests deeper than MAX_YAML_NESTING, read as YAML reads it in one
 * linear pass: flow brackets count where a value may start (a `[` inside a plain block scalar
 * is text), quoted scalars, comments and block scalars (`|`, `>`) are skipped.
 */
function deepNesting(text: string): { readonly line: number; readonly offset: number; readonly message: string } | undefined {
  let flow = 0;
  let block = 0; // `- ` / `? ` indicators opening this line
  let line = 1;
  let indent = 0;
  let prev = '\n'; // the last character on this line that is not a space ('\n': none yet)
  let i = 0;
  const skipTo = (stop: number): void => {
    for (let j = i; j < stop; j++) if (text[j] === '\n') line++;
    i = stop;
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      block = 0;
      prev = '\n';
      indent = 0;
      while (text[i + 1 + indent] === ' ') indent++;
      continue;
    }
    if (SPACE.has(c)) continue;
    const afterSpace = i === 0 || SPACE.has(text[i - 1]!) || text[i - 1] === '\n';
    const valueStarts =
      flow > 0 ? afterSpace || prev === '[' || prev === '{' || prev === ',' || prev === ':' : afterSpace && (prev === '\n' || prev === ':' || prev === '-' || prev === '?');
    if (c === '#' && afterSpace) {
      const end = text.indexOf('\n', i);
      i = (end < 0 ? text.length : end) - 1;
      continue;
    }
    if (valueStarts && (c === '"' || c === "'")) {
      // To the closing quote ('' and \" are the quote itself).
      let j = i + 1;
      while (j < text.length && (text[j] !== c || (c === "'" && text[j + 1] === "'" && ++j) || (c === '"' && text[j - 1] === '\\'))) j++;
      skipTo(j);
    } else if (valueStarts && flow === 0 && (c === '|' || c === '>')) {
      // A block scalar: the lines indented deeper than this one are its text.
      let j = text.indexOf('\n', i);
      while (j >= 0) {
        let k = j + 1;
        while (text[k] === ' ') k++;
        if (k - j - 1 <= indent && text[k] !== '\n' && k < text.length) break;
        j = text.indexOf('\n', k);
      }
      skipTo(j < 0 ? text.length : j);
      i--;
    } else if ((c === '[' || c === '{') && (valueStarts || flow > 0)) {
      if (++flow > MAX_YAML_NESTING) return { line, offset: i, message: `brackets are nested more than ${MAX_YAML_NESTING} deep here: the file is not read` };
    } else if ((c === ']' || c === '}') && flow > 0) {
      flow--;
    } else if ((c === '-' || c === '?') && flow === 0 && prev !== ':' && (prev === '\n' || prev === '-' || prev === '?') && (i + 1 >= text.length || SPACE.has(text[i + 1]!) || text[i + 1] === '\n')) {
      if (++block > MAX_YAML_NESTING) return { line, offset: i, message: `more than ${MAX_YAML_NESTING} lists or keys open on one line here: the file is not read` };
    }
    prev = c;
  }
  return undefined;
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
