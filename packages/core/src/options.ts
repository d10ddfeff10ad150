import type { z } from 'zod';
import { OptionsError } from './errors.js';

/** Validates options at a public boundary; failures become one OptionsError naming every problem. */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  throw new OptionsError(`invalid ${what}: ${problems.join('; ')}`);
}
