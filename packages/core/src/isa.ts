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

/**
 * The floating-point peak of `threads` cores on an ISA path, measured with an unrolled
 * multiply-add loop (12 accumulators), in GFLOP/s: what benchmarks compare achieved speed with.
 */
export function measurePeakGflops(isa: Isa = defaultIsa(), threads = 1, seconds = 0.3): number {
  return native.measurePeakGflops(isa, threads, seconds);
}

/**
 * The integer path INT8 layers built for `isa` take on this CPU ('avx512vnni', 'avxvnni', 'avx2',
 * 'scalar'; `KILN_INT8` forces one), and whether it multiplies u8 by s8 natively (VNNI or AMX),
 * which is what makes INT8 fast.
 */
export function int8Support(isa: Isa = defaultIsa()): { path: string; fast: boolean } {
  const { name, fast } = native.int8Path(isa);
  return { path: name, fast };
}
