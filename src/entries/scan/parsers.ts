// The registry of format readers: one FormatParser per Format. The scanner runs them in the
// order the settings list formats; the fuzz test runs every one of them.
import { blsParser } from '../bls';
import { extlinuxParser } from '../extlinux';
import { grubParser } from '../grub';
import { looseParser } from '../loose';
import type { Format, FormatParser } from '../model';
import { rpiParser } from '../rpi';
import { yamlParser } from '../yaml-menu';

/** Partial so tests can run the scanner with a chosen few; PARSERS itself has every format. */
export type ParserRegistry = Readonly<Partial<Record<Format, FormatParser>>>;

export const PARSERS: Readonly<Record<Format, FormatParser>> = {
  yaml: yamlParser,
  bls: blsParser,
  grub: grubParser,
  extlinux: extlinuxParser,
  rpi: rpiParser,
  loose: looseParser,
};
