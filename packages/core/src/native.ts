import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface NativeAddon {
  supportedIsas(): string[];
  defaultIsa(): string;
}

// src/ and dist/ both sit one level below the package root.
export const native: NativeAddon = require('../native/build/Release/kiln_core.node');
