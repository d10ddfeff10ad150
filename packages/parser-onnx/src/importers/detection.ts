import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { standardOp, type OpImporter } from './op-importer.js';

/**
 * NonMaxSuppression (opset 10+): boxes, scores and the optional max_output_boxes_per_class,
 * iou_threshold and score_threshold inputs ('' when omitted). Its output's length depends on the
 * data, so Kiln accepts it only as a graph output (the builder checks).
 */
function importNonMaxSuppression(node: NodeContext): void {
  const centerPointBox = node.attrs.int('center_point_box', 0);
  if (centerPointBox !== 0 && centerPointBox !== 1) throw new ImportFailure(`attribute 'center_point_box' = ${centerPointBox} is not 0 or 1`);
  const inputs = [0, 1, 2, 3, 4].map((i) => node.input(i) ?? '');
  node.emit({ type: 'NonMaxSuppression', inputs, outputs: [node.output(0)], attributes: { center_point_box: centerPointBox } });
}

export const detectionImporters: OpImporter[] = [standardOp('NonMaxSuppression', 10, importNonMaxSuppression)];
