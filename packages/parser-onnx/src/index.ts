export { OnnxParser } from './onnx-parser.js';
export type { OnnxParserOptions, ParseOptions } from './parser-options.js';
export { OnnxParseError } from './onnx-parse-error.js';
export type { OnnxParseIssue } from './onnx-parse-error.js';
export type { PluginLookup } from './importers/plugin-op.js';
export type { SupportedOp } from './importers/registry.js';
