// Placeholder main job until the yolov5 example lands: shows the native core loads.
import { defaultIsa, supportedIsas } from '@kiln/core';
console.log(`Kiln native core loaded. ISA paths: ${supportedIsas().join(', ')}; default: ${defaultIsa()}`);
