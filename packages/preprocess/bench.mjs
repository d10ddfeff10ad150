// Times the preprocessing and postprocessing steps of a YOLOv5 pipeline on this machine:
// decode of a 1920×1080 JPEG, letterbox to 640, toTensor, and decodeYolo over [1, 25200, 85].
// Usage: pnpm --filter @kiln/preprocess build && node bench.mjs [--iterations 30]
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { decodeImage, decodeYolo, letterbox, toTensor } from './dist/index.js';

const { values: args } = parseArgs({ options: { iterations: { type: 'string', default: '30' } } });
const iterations = Number(args.iterations);

function lcg(seed) {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296;
  };
}

async function time(name, fn) {
  for (let i = 0; i < 3; i++) await fn();
  const ms = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)];
  console.log(`${name.padEnd(52)} median ${median.toFixed(2).padStart(8)} ms   min ${ms[0].toFixed(2).padStart(8)} ms`);
}

// A 1920×1080 photo-like JPEG: smooth gradients plus noise, so it neither compresses to nothing nor is pure noise.
const width = 1920;
const height = 1080;
const random = lcg(1);
const rgb = Buffer.alloc(width * height * 3);
for (let y = 0; y < height; y++) {
  for (let x = 0; x < width; x++) {
    const i = (y * width + x) * 3;
    rgb[i] = (x / 8 + random() * 24) & 255;
    rgb[i + 1] = (y / 5 + random() * 24) & 255;
    rgb[i + 2] = ((x + y) / 12 + random() * 24) & 255;
  }
}
const jpeg = new Uint8Array(await sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
const image = await decodeImage(jpeg);
const boxed = letterbox(image);

function yoloOutput(objectness) {
  const rows = 25200;
  const data = new Float32Array(rows * 85);
  const r = lcg(7);
  for (let i = 0; i < rows; i++) {
    const o = i * 85;
    data[o] = r() * 640;
    data[o + 1] = r() * 640;
    data[o + 2] = 8 + r() * 200;
    data[o + 3] = 8 + r() * 200;
    data[o + 4] = objectness(r);
    for (let c = 0; c < 80; c++) data[o + 5 + c] = r();
  }
  return { dtype: 'float32', shape: [1, rows, 85], data };
}
// Like a trained model: objectness is near 0 almost everywhere (about 2% of rows pass 0.25).
const typical = yoloOutput((r) => r() ** 12);
// Worst case: uniform scores, so about 75% of rows pass the threshold and reach NMS.
const uniform = yoloOutput((r) => r());

console.log(`node ${process.version}, sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}, ${iterations} iterations`);
await time(`decodeImage (${width}×${height} JPEG, ${(jpeg.length / 1024).toFixed(0)} KiB)`, () => decodeImage(jpeg));
await time(`letterbox (${width}×${height} → 640×640)`, () => letterbox(image));
await time('toTensor (640×640 → float32 [1, 3, 640, 640])', () => toTensor(boxed.image));
await time('toTensor (640×640 → float16 [1, 3, 640, 640])', () => toTensor(boxed.image, { dtype: 'float16' }));
const typicalCount = decodeYolo(typical)[0].length;
await time(`decodeYolo [1, 25200, 85], typical (${typicalCount} kept)`, () => decodeYolo(typical));
const uniformCount = decodeYolo(uniform)[0].length;
await time(`decodeYolo [1, 25200, 85], uniform scores (${uniformCount} kept)`, () => decodeYolo(uniform));
