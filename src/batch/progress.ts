/**
 * The batch progress bar: drawn on stderr only when stderr is a terminal, at
 * most every 100 ms, and erased at the end. Quiet otherwise (CI logs, pipes).
 */
export interface Progress {
  update(done: number, total: number, failed: number): void;
  end(): void;
}

const WIDTH = 30;

export function progressBar(stream: NodeJS.WriteStream, label: string): Progress {
  if (!stream.isTTY) return { update: () => undefined, end: () => undefined };
  let last = 0;
  let drawn = false;
  return {
    update(done, total, failed) {
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      const full = total === 0 ? WIDTH : Math.round((done / total) * WIDTH);
      const bar = `${'#'.repeat(full)}${'.'.repeat(WIDTH - full)}`;
      stream.write(`\r${label} [${bar}] ${done}/${total}${failed ? `, ${failed} failed` : ''}\u001b[K`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}
