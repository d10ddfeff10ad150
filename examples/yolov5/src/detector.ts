import { existsSync } from 'node:fs';
import path from 'node:path';
import { EntropyCalibrator, imageFolderBatches } from '@kiln/calibrator';
import { Logger, type BuildOptions, type Engine, type ExecutionContext } from '@kiln/core';
import { decodeImage, decodeYolo, letterbox, parseClassNames, scaleBoxes, toTensor, type RgbImage } from '@kiln/preprocess';
import { loadOrBuildEngine } from './engine-cache.js';
import { BUNDLED_MODEL, ENGINE_CACHE } from './paths.js';

export interface DetectorOptions {
  /** The YOLOv5 ONNX model; default: the bundled yolov5n.onnx. */
  model?: string;
  precision?: 'fp32' | 'int8';
  /** INT8: a folder of calibration images (entropy calibration; the scales are cached beside the engine). */
  calibrationImages?: string;
  threads?: number;
  cacheDir?: string;
  logger?: Logger;
  onProgress?: BuildOptions['onProgress'];
}

export interface NamedDetection {
  class: number;
  name: string;
  score: number;
  /** [x1, y1, x2, y2] in original-image pixels. */
  box: [number, number, number, number];
}

export interface DetectResult {
  detections: NamedDetection[];
  image: RgbImage;
  /** Milliseconds per stage. */
  timings: { decode: number; preprocess: number; inference: number; postprocess: number };
}

/**
 * Entropy calibration on a folder of images, preprocessed exactly as `detect` does (640×640
 * letterbox, [0, 1]); the scales are cached per model, so later INT8 builds need no images.
 */
function yoloCalibrator(folder: string | undefined, cacheDir: string, model: string): EntropyCalibrator {
  const cacheFile = path.join(cacheDir, `${path.basename(model, '.onnx')}.calib`);
  if (!folder && !existsSync(cacheFile)) throw new Error(`INT8 needs calibration images the first time: give a folder of images (--calib <folder>)`);
  const load = async (file: string) => toTensor(letterbox(await decodeImage(file), { size: [640, 640], auto: false }).image);
  return new EntropyCalibrator({ batches: folder ? imageFolderBatches({ folder, input: 'images', load, limit: 200 }) : undefined, cacheFile });
}

/** YOLOv5 detection on a Kiln engine: decode → letterbox → tensor → execute → NMS → original pixels. */
export class Detector {
  private constructor(
    readonly engine: Engine,
    private readonly context: ExecutionContext,
    readonly names: string[],
    readonly inputSize: [number, number],
    readonly buildInfo: { planPath: string; built: boolean; buildMs: number },
  ) {}

  static async create(options: DetectorOptions = {}): Promise<Detector> {
    const logger = options.logger ?? new Logger({ severity: 'warning' });
    const { engine, ...buildInfo } = await loadOrBuildEngine(
      options.model ?? BUNDLED_MODEL,
      options.cacheDir ?? ENGINE_CACHE,
      {
        precision: options.precision ?? 'fp32',
        threads: options.threads ?? 0,
        onProgress: options.onProgress,
        calibrator: options.precision === 'int8' ? yoloCalibrator(options.calibrationImages, options.cacheDir ?? ENGINE_CACHE, options.model ?? BUNDLED_MODEL) : undefined,
        dynamicRanges: options.precision === 'int8' ? { images: [0, 1] } : undefined,
      },
      logger,
    );
    const input = engine.inputs[0];
    const [h, w] = input.shape.slice(2);
    if (input.shape.length !== 4 || typeof h !== 'number' || typeof w !== 'number') {
      throw new Error(`the model's input '${input.name}' must be [batch, 3, height, width] with a fixed size, got [${input.shape.join(', ')}]`);
    }
    const names = engine.modelMetadata.names ? parseClassNames(engine.modelMetadata.names) : [];
    return new Detector(engine, engine.createContext(), names, [h, w], buildInfo);
  }

  async detect(source: string | Uint8Array, options: { conf?: number; iou?: number } = {}): Promise<DetectResult> {
    let t = performance.now();
    const image = await decodeImage(source);
    const decode = performance.now() - t;

    t = performance.now();
    const boxed = letterbox(image, { size: this.inputSize, auto: false });
    const tensor = toTensor(boxed.image);
    const preprocess = performance.now() - t;

    t = performance.now();
    const input = this.engine.inputs[0].name;
    const outputs = await this.context.execute({ [input]: tensor });
    const inference = performance.now() - t;

    t = performance.now();
    const [raw] = decodeYolo(outputs[this.engine.outputs[0].name], { confThreshold: options.conf ?? 0.25, iouThreshold: options.iou ?? 0.45 });
    const detections = scaleBoxes(raw, boxed, { width: image.width, height: image.height }).map((d) => ({
      class: d.classId,
      name: this.names[d.classId] ?? String(d.classId),
      score: d.score,
      box: d.box,
    }));
    const postprocess = performance.now() - t;
    return { detections, image, timings: { decode, preprocess, inference, postprocess } };
  }
}
