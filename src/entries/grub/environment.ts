// GRUB's variables (grub-core/kern/env.c, normal/context.c). A submenu and `configfile`
// open a new context that starts with only the exported variables of the one before;
// `source` and menu entries share the current one.

interface Variable {
  value: string;
  exported: boolean;
}

export class Environment {
  private constructor(private readonly vars: Map<string, Variable>) {}

  static empty(): Environment {
    return new Environment(new Map());
  }

  get(name: string): string | undefined {
    return this.vars.get(name)?.value;
  }

  set(name: string, value: string): void {
    const v = this.vars.get(name);
    if (v) v.value = value;
    else this.vars.set(name, { value, exported: false });
  }

  unset(name: string): void {
    this.vars.delete(name);
  }

  /** GRUB's `export`: an unset variable is created empty. */
  export(name: string): void {
    const v = this.vars.get(name);
    if (v) v.exported = true;
    else this.vars.set(name, { value: '', exported: true });
  }

  /** A new context as GRUB opens one: the exported variables only, still exported. */
  newContext(): Environment {
    const vars = new Map<string, Variable>();
    for (const [name, v] of this.vars) if (v.exported) vars.set(name, { value: v.value, exported: true });
    return new Environment(vars);
  }

  /** An independent copy, for running one menu entry or a branch whose effects must not leak. */
  clone(): Environment {
    const vars = new Map<string, Variable>();
    for (const [name, v] of this.vars) vars.set(name, { value: v.value, exported: v.exported });
    return new Environment(vars);
  }
}
