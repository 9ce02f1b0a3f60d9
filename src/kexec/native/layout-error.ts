// Why a layout cannot be made, in one sentence (a segment outside RAM, a range that does not
// fit the device tree's cells…). The native pieces sit below the rest of the kexec layer and
// import nothing of it, so they have their own error; native-loader.ts hands it on as the
// layer's BootError, with the same sentence and errno name.

export class LayoutError extends Error {
  readonly sentence: string;
  /** The errno name the kernel would give for it (EINVAL, EADDRNOTAVAIL…), when there is one. */
  readonly code: string | undefined;
  constructor(sentence: string, code?: string) {
    super(sentence);
    this.name = 'LayoutError';
    this.sentence = sentence;
    this.code = code;
  }
}
