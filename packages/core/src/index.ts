export { supportedIsas, defaultIsa } from './isa.js';
export type { Isa } from './isa.js';
