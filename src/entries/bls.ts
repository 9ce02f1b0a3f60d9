// Boot Loader Specification Type #1 entries (/loader/entries/*.conf). Work in progress:
// the signatures below are final; the bodies are being written.
import type { Diagnostic, FormatParser, MachineContext, ParsedEntry, ParseResult, PartitionFiles } from './model';

/** Parses one entry file (`file` is its path inside the partition). Never throws. */
export function parseBlsEntryFile(
  text: string,
  file: string,
  partition: string,
  machine: MachineContext,
): { entry?: ParsedEntry; diagnostics: Diagnostic[] } {
  void text;
  void file;
  void partition;
  void machine;
  return { diagnostics: [] };
}

/** Reads every `*.conf` in the entries folder `dir`, sorted as the specification orders them. */
export function readBlsEntries(files: PartitionFiles, dir: string, partition: string, machine: MachineContext): ParseResult {
  void files;
  void dir;
  void partition;
  void machine;
  return { entries: [], diagnostics: [] };
}

export const blsParser: FormatParser = {
  format: 'bls',
  parse(files, partition, machine) {
    return readBlsEntries(files, '/loader/entries', partition, machine);
  },
};
