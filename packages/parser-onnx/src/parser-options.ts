import { Logger } from '@kiln/core';
import { z } from 'zod';
import type { PluginLookup } from './importers/plugin-op.js';

const isLogger = (value: unknown): value is Logger =>
  value instanceof Logger ||
  (typeof value === 'object' && value !== null && typeof (value as Logger).log === 'function' && typeof (value as Logger).warning === 'function');

const isPluginLookup = (value: unknown): value is PluginLookup =>
  typeof value === 'object' && value !== null && typeof (value as PluginLookup).hasCreator === 'function';

export const parserOptionsSchema = z.strictObject({
  logger: z.custom<Logger>(isLogger, 'a Logger').optional(),
  plugins: z.custom<PluginLookup>(isPluginLookup, 'an object with hasCreator(opType, domain)').optional(),
});
export type OnnxParserOptions = z.input<typeof parserOptionsSchema>;

export const parseCallOptionsSchema = z.strictObject({
  /** The model file's path: external data is looked up beside it. */
  modelPath: z.string().min(1).optional(),
});
export type ParseOptions = z.input<typeof parseCallOptionsSchema>;
