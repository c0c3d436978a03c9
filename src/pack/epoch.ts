/**
 * The one mtime stamped on every packed entry. Builds must be byte-identical
 * whatever the host clock or time zone, so the clock is never consulted:
 * SOURCE_DATE_EPOCH wins, then an explicit epoch, then the profile's default.
 */
import { UserError } from '../base/user-error.js';

/** 1976-01-01T00:00:00Z: lintian flags anything older as package-contains-ancient-file. */
export const MIN_EPOCH = 189_302_400;

export function resolveEpoch(
  defaultEpoch: number,
  opts: { epoch?: number } = {},
  env: NodeJS.ProcessEnv = process.env,
): number {
  const fromEnv = env.SOURCE_DATE_EPOCH;
  let epoch: number;
  let source: string;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^[0-9]+$/.test(fromEnv)) {
      throw new UserError(`SOURCE_DATE_EPOCH: "${fromEnv}" is not a number of seconds. Set it to a Unix time, e.g. $(git log -1 --format=%ct).`);
    }
    epoch = Number(fromEnv);
    source = 'SOURCE_DATE_EPOCH';
  } else if (opts.epoch !== undefined) {
    epoch = opts.epoch;
    source = 'epoch option';
  } else {
    epoch = defaultEpoch;
    source = 'package.defaultEpoch';
  }
  if (!Number.isInteger(epoch) || epoch < MIN_EPOCH || epoch > 0xffff_ffff) {
    throw new UserError(`${source}: ${epoch} is not a Unix time after 1975. Packages need a plausible mtime (lintian rejects ancient files); use e.g. 1700000000.`);
  }
  return epoch;
}
