import { BuildError, InputError, KilnError, OptionsError, PlanError, PluginError } from './errors.js';

/** Turns an error thrown by the addon (a JS Error with a KILN_* code) into Kiln's typed error. */
export function fromNativeError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof KilnError) return error;
  const code = (error as Error & { code?: string }).code;
  if (!code || !code.startsWith('KILN_')) return error;
  if (code.startsWith('KILN_PLAN')) return new PlanError(code, error.message);
  if (code.startsWith('KILN_PLUGIN')) return new PluginError(code, error.message);
  if (code === 'KILN_INPUT' || code === 'KILN_CONTEXT_BUSY') return new InputError(error.message);
  if (code === 'KILN_OPTIONS') return new OptionsError(error.message);
  if (code === 'KILN_BUILD' || code === 'KILN_SHAPE' || code === 'KILN_ISA') return new BuildError(error.message, undefined, code);
  return new KilnError(code, error.message);
}

export async function nativeCall<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw fromNativeError(error);
  }
}

export function nativeCallSync<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw fromNativeError(error);
  }
}
