// Global entry ids: stable across rescans (they name what a config says, not where it sits
// in the list), so `default: <id>` rules, the remembered last choice and the menu's
// selection survive a rescan or a newly plugged disk.
import type { Format } from '../model';
import type { PartitionInfo } from '../../fs/files';

/**
 * The part of an id that names the partition: its filesystem UUID, else its partition UUID,
 * else its label, else its kernel name (which may change between boots, hence last).
 */
export function partitionKey(info: PartitionInfo): string {
  return info.uuid ?? info.partuuid ?? info.label ?? info.name;
}

export function entryId(info: PartitionInfo, format: Format, localId: string): string {
  return `${partitionKey(info)}:${format}:${localId}`;
}

/**
 * Makes ids unique in list order: the first keeps its id, later ones get `~2`, `~3`, …
 * (two unlabelled sample trees with the same folder name, two parsers agreeing on a name).
 */
export class IdAllocator {
  private readonly used = new Set<string>();

  take(id: string): string {
    let candidate = id;
    for (let n = 2; this.used.has(candidate); n++) candidate = `${id}~${n}`;
    this.used.add(candidate);
    return candidate;
  }
}
