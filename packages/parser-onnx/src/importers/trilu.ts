import { sameFormOp, type OpImporter } from './op-importer.js';

/** Trilu keeps the upper (default) or lower triangle of the last two axes, shifted by the optional k. */
export const triluImporters: OpImporter[] = [sameFormOp('Trilu', 14, (node) => ({ upper: node.attrs.int('upper', 1) }))];
