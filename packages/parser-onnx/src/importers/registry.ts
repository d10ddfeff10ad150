import { activationImporters } from './activation.js';
import { attentionImporters } from './attention.js';
import { castImporters } from './cast.js';
import { constantImporters } from './constant.js';
import { convolutionImporters } from './convolution.js';
import { dropoutImporters } from './dropout.js';
import { elementwiseImporters } from './elementwise.js';
import { indexingImporters } from './indexing.js';
import { lossImporters } from './losses.js';
import { detectionImporters } from './detection.js';
import { matmulImporters } from './matmul.js';
import { normalizationImporters } from './normalization.js';
import { centerCropPadImporters } from './center-crop-pad.js';
import { eyeLikeImporters } from './eye-like.js';
import { hardmaxImporters } from './hardmax.js';
import { lpNormalizationImporters } from './lp-normalization.js';
import { lpPoolImporters } from './lp-pool.js';
import { oneHotImporters } from './one-hot.js';
import { shrinkImporters } from './shrink.js';
import { linearQuantizationImporters } from './linear-quantization.js';
import { swishImporters } from './swish.js';
import { triluImporters } from './trilu.js';
import { windowFunctionImporters } from './window-functions.js';
import type { OpImporter } from './op-importer.js';
import { padImporters } from './pad.js';
import { poolingImporters } from './pooling.js';
import { reductionImporters } from './reduction.js';
import { resizeImporters } from './resize.js';
import { rmsNormalizationImporters } from './rms-normalization.js';
import { rotaryEmbeddingImporters } from './rotary-embedding.js';
import { shapeOpImporters } from './shape-ops.js';
import { slicingImporters } from './slicing.js';
import { softmaxImporters } from './softmax.js';
import { squeezeImporters } from './squeeze.js';

/** Every importer; to support another op, add its family's list here. */
const ALL_IMPORTERS: OpImporter[] = [
  ...activationImporters,
  ...attentionImporters,
  ...castImporters,
  ...constantImporters,
  ...convolutionImporters,
  ...dropoutImporters,
  ...elementwiseImporters,
  ...indexingImporters,
  ...lossImporters,
  ...detectionImporters,
  ...matmulImporters,
  ...normalizationImporters,
  ...padImporters,
  ...poolingImporters,
  ...reductionImporters,
  ...resizeImporters,
  ...rmsNormalizationImporters,
  ...rotaryEmbeddingImporters,
  ...shapeOpImporters,
  ...slicingImporters,
  ...softmaxImporters,
  ...squeezeImporters,
  ...centerCropPadImporters,
  ...eyeLikeImporters,
  ...hardmaxImporters,
  ...lpNormalizationImporters,
  ...lpPoolImporters,
  ...oneHotImporters,
  ...shrinkImporters,
  ...linearQuantizationImporters,
  ...swishImporters,
  ...triluImporters,
  ...windowFunctionImporters,
];

const key = (opType: string, domain: string) => `${domain}\u0000${opType}`;

const TABLE = new Map<string, OpImporter[]>();
for (const importer of ALL_IMPORTERS) {
  const entries = TABLE.get(key(importer.opType, importer.domain)) ?? [];
  entries.push(importer);
  TABLE.set(key(importer.opType, importer.domain), entries);
}

export type ImporterLookup = { importer: OpImporter } | { problem: string };

/** The importer for an op at the model's opset for its domain, or why there is none. */
export function findImporter(opType: string, domain: string, opset: number): ImporterLookup {
  const entries = TABLE.get(key(opType, domain));
  if (!entries) return { problem: `operator ${domain === '' ? '' : `${domain}.`}${opType} is not supported` };
  const importer = entries.find((entry) => opset >= entry.sinceVersion && opset <= entry.untilVersion);
  if (importer) return { importer };
  const ranges = entries.map((entry) => `${entry.sinceVersion}..${entry.untilVersion}`).join(', ');
  return { problem: `${opType} is supported for opsets ${ranges}, not ${opset}` };
}

export interface SupportedOp {
  domain: string;
  opType: string;
  sinceVersion: number;
  untilVersion: number;
}

export function supportedOps(): SupportedOp[] {
  return ALL_IMPORTERS
    .map(({ domain, opType, sinceVersion, untilVersion }) => ({ domain, opType, sinceVersion, untilVersion }))
    .sort((a, b) => a.domain.localeCompare(b.domain) || a.opType.localeCompare(b.opType) || a.sinceVersion - b.sinceVersion);
}
