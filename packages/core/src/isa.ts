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
