// The registry of format readers: one FormatParser per Format. The scanner runs them in the
// order the settings list formats; the fuzz test runs every one of them.
import type { Format, FormatParser } from './model';
import { yamlParser } from './yaml-menu';
// TODO(issue 2): add each reader as its file lands.
// import { blsParser } from './bls';
// import { grubParser } from './grub';
// import { extlinuxParser } from './extlinux';
// import { rpiParser } from './rpi';
// import { looseParser } from './loose';

export type ParserRegistry = Readonly<Partial<Record<Format, FormatParser>>>;

export const PARSERS: ParserRegistry = {
  yaml: yamlParser,
  // bls: blsParser,
  // grub: grubParser,
  // extlinux: extlinuxParser,
  // rpi: rpiParser,
  // loose: looseParser,
};
