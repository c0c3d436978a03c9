/** Entry point of the bundle: dist/mpgen.cjs (and dist/mpgen.mjs) export run(). */
import { main } from './main.js';

/**
 * `mpgen distros | head`: the reader closing the pipe early is not an error. Without this,
 * node reports an unhandled EPIPE with a stack trace.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

export async function run(argv: string[]): Promise<number> {
  quietOnClosedPipe(process.stdout);
  try {
    return await main(argv);
  } catch (e) {
    // Not a user mistake: a bug in mpgen. Say so plainly; keep the stack for the report.
    process.stderr.write(`mpgen: internal error: ${(e as Error)?.stack ?? String(e)}\nPlease report this.\n`);
    return 70;
  }
}
