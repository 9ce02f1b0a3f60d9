// The neutral view of a source of boot files: one partition's files, or a folder on a boot
// server. The disks (and the network) implement it; the format readers read through it. It
// imports nothing from the rest of the program, so every layer can depend on it.

/** A read-only, confined view of one partition's files (MemoryFiles in memory, DirectoryFiles on a mounted tree). */
export interface PartitionFiles {
  /** Text of a regular file, or undefined when it is missing, not a file, or unreadable. */
  readText(path: string): string | undefined;
  /** Names in a folder (not sorted), or undefined when it is not a folder. */
  list(path: string): string[] | undefined;
  isFile(path: string): boolean;
  isDir(path: string): boolean;
  /**
   * The path with every symlink followed inside the partition, or undefined if it does not
   * exist. Lets a parser learn that /vmlinuz points at /boot/vmlinuz-6.1.0-13-amd64.
   */
  realPath(path: string): string | undefined;
  /**
   * Finds a path ignoring case in each component (FAT, ISO 9660 and configs written on
   * other systems disagree on case); returns the path as it is on disk.
   */
  findIgnoringCase(path: string): string | undefined;
  /**
   * This view for one pass of reading (one scan of the partition): it may answer a question
   * it was asked before from memory instead of asking the file system again, so it must not
   * outlive the pass (a rescan must see files that changed).
   */
  forOnePass(): PartitionFiles;
  /**
   * What this pass's view was asked to read and could not give as it is on disk: special
   * files, files too large or unreadable, text whose invalid UTF-8 was replaced, and names
   * found by findIgnoringCase (where every reader looks for its configs and folders) that
   * are symlinks leading to nothing on the partition. Each file
   * once, in the order met. A plain view and one in memory remember none.
   */
  readProblems(): readonly ReadProblem[];
}

/** A file a reader looked for or read that it did not get whole (see PartitionFiles.readProblems). */
export interface ReadProblem {
  /** Inside the partition, as the reader asked for it. */
  readonly path: string;
  readonly problem: 'not-regular' | 'too-large' | 'unreadable' | 'invalid-utf8' | 'dangling-link';
  /** For 'too-large': its size and the most a view reads, in bytes. */
  readonly size?: number;
  readonly limit?: number;
  /** For 'dangling-link': the link's target as written. */
  readonly target?: string;
}

/** What is known of a partition: its name and the identifiers configs refer to it by. */
export interface PartitionInfo {
  /** Kernel name (`vda1`, `mmcblk0p1`) or, for a sample tree, the name given with --root. */
  readonly name: string;
  readonly device?: string;
  readonly fstype?: string;
  readonly uuid?: string;
  readonly partuuid?: string;
  readonly label?: string;
  readonly partlabel?: string;
}

/** A partition whose files can be read: mounted read-only, or a sample tree. */
export interface ReadablePartition {
  readonly info: PartitionInfo;
  /** Where its root is on this machine. */
  readonly root: string;
  readonly files: PartitionFiles;
}
