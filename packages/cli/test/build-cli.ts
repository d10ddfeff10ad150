import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** The tests run the real binary, so bundle the current sources first (tsup takes well under a second). */
export default function setup(): void {
  const root = path.resolve(__dirname, '..');
  execFileSync(path.join(root, 'node_modules/.bin/tsup'), { cwd: root, stdio: 'pipe' });
}
