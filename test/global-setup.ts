// Build the bundled CLI once, so end-to-end tests drive exactly what users run (bin/mpgen).
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
