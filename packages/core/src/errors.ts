/** Every error Kiln throws on purpose is a KilnError with a stable `code`. */
export class KilnError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The network cannot be built: an op, attribute or shape this builder does not support. */
export class BuildError extends KilnError {
  readonly layer?: string;
  constructor(message: string, layer?: string, code = 'KILN_BUILD') {
    super(code, layer ? `layer '${layer}': ${message}` : message);
    this.layer = layer;
  }
}

/** The inputs given to `execute` do not match what the engine expects. */
export class InputError extends KilnError {
  readonly tensor?: string;
  constructor(message: string, tensor?: string) {
    super('KILN_INPUT', message);
    this.tensor = tensor;
  }
}

/** A plan (engine file) that cannot be loaded: bad magic, truncated, corrupt, or made elsewhere. */
export class PlanError extends KilnError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** Options that fail validation at a public entry point. */
export class OptionsError extends KilnError {
  constructor(message: string) {
    super('KILN_OPTIONS', message);
  }
}

/** A plugin library that cannot be loaded, a plugin that is not registered, or one that failed. */
export class PluginError extends KilnError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}
