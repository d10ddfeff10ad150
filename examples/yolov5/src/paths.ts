import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The example's own folder (src/ and dist/ both sit one level below it). */
export const EXAMPLE_ROOT = path.resolve(here, '..');
export const BUNDLED_MODEL = path.join(EXAMPLE_ROOT, 'assets', 'yolov5n.onnx');
export const BUNDLED_IMAGE = path.join(EXAMPLE_ROOT, 'assets', 'bus.jpg');
export const ENGINE_CACHE = path.join(EXAMPLE_ROOT, '.cache');
