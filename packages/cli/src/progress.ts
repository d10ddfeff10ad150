import cliProgress from 'cli-progress';
import { err } from './colors.js';

/**
 * Build progress on stderr: a bar on a terminal; with --verbose, one line per phase instead (the
 * verbose log would tear a bar apart); nothing otherwise.
 */
export class BuildProgress {
  private bar?: cliProgress.SingleBar;
  private readonly seen = new Set<string>();

  constructor(private readonly mode: 'bar' | 'lines' | 'off') {}

  static forTerminal(verbose: boolean): BuildProgress {
    return new BuildProgress(verbose ? 'lines' : process.stderr.isTTY ? 'bar' : 'off');
  }

  readonly update = (phase: string, done: number, total: number): void => {
    if (this.mode === 'lines') {
      if (!this.seen.has(phase)) process.stderr.write(err.dim(`${phase}...\n`));
    } else if (this.mode === 'bar') {
      if (!this.bar) {
        this.bar = new cliProgress.SingleBar(
          { format: `{phase} ${err.cyan('{bar}')} {value}/{total}`, stream: process.stderr, hideCursor: true, clearOnComplete: true, barsize: 30 },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(Math.max(total, 1), done, { phase: phase.padEnd(14) });
      } else {
        this.bar.setTotal(Math.max(total, 1));
        this.bar.update(done, { phase: phase.padEnd(14) });
      }
    }
    this.seen.add(phase);
  };

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
