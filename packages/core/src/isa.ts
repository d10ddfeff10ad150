import { native } from './native.js';

export type Isa = 'scalar' | 'avx2' | 'avx512';

/** The instruction-set paths this CPU can run, slowest first. */
export function supportedIsas(): Isa[] {
  return native.supportedIsas() as Isa[];
}

/** The path engines use unless told otherwise: the best one, or the one `KILN_ISA` names. */
export function defaultIsa(): Isa {
  return native.defaultIsa() as Isa;
}
