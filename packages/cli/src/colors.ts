import pc from 'picocolors';

function wantsColor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

/** Colours for what goes to stdout and to stderr, each only when that stream is a terminal. */
export const out = pc.createColors(wantsColor(process.stdout));
export const err = pc.createColors(wantsColor(process.stderr));
