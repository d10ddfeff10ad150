import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** This package's version, recorded in every plan it writes. */
export const KILN_VERSION: string = (require('../package.json') as { version: string }).version;
