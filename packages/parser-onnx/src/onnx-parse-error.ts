import { KilnError } from '@kiln/core';

/** One reason a model cannot be imported, naming the node (or the graph input or initializer). */
export interface OnnxParseIssue {
  /** The node's name; for a graph input or initializer, the tensor's name. */
  node: string;
  /** The node's op type; 'graph input', 'graph output' or 'initializer' for graph-level problems. */
  opType: string;
  /** The node's domain, '' for the standard ONNX domain. */
  domain: string;
  /** The opset the model imports for that domain (0 where it imports none). */
  opset: number;
  message: string;
}

/** The model cannot be imported; `issues` lists every problem found (empty when the bytes are not a model). */
export class OnnxParseError extends KilnError {
  readonly issues: OnnxParseIssue[];

  constructor(message: string, issues: OnnxParseIssue[] = [], options?: { cause?: unknown }) {
    super('KILN_ONNX_PARSE', message, options);
    this.issues = issues;
  }

  static fromIssues(issues: OnnxParseIssue[]): OnnxParseError {
    const lines = issues.map((issue) => `  - ${describeIssue(issue)}`);
    const count = issues.length === 1 ? '1 issue' : `${issues.length} issues`;
    return new OnnxParseError(`cannot import the ONNX model, ${count}:\n${lines.join('\n')}`, issues);
  }
}

function describeIssue(issue: OnnxParseIssue): string {
  const domain = issue.domain === '' ? 'ai.onnx' : issue.domain;
  return `${issue.opType} '${issue.node}' (${domain} opset ${issue.opset}): ${issue.message}`;
}
