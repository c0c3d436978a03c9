/** Entry point of the bundle: dist/mpgen.mjs exports run(). */
import { main } from './main.js';

export async function run(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (e) {
    // Not a user mistake: a bug in mpgen. Say so plainly; keep the stack for the report.
    process.stderr.write(`mpgen: internal error: ${(e as Error)?.stack ?? String(e)}\nPlease report this.\n`);
    return 70;
  }
}
