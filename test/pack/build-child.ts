/** Child process for the reproducibility test: prints sha256 of bundle, deb and rpm built in this process's TZ. */
import { buildBundle } from '../../src/pack/bundle.js';
import { buildDeb } from '../../src/pack/deb.js';
import { buildRpm } from '../../src/pack/rpm.js';
import { sha256Hex } from '../../src/pack/tree.js';
import { fixtureMeta, fixturePlan } from './fixture.js';

const plan = fixturePlan();
const meta = fixtureMeta();
process.stdout.write(
  JSON.stringify({
    tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
    offset: new Date(1_700_000_000_000).getTimezoneOffset(),
    bundle: buildBundle(plan, meta).bytes.toString('base64'),
    deb: buildDeb(plan, meta).bytes.toString('base64'),
    rpm: buildRpm(plan, meta).bytes.toString('base64'),
    sha: sha256Hex(buildDeb(plan, meta).bytes),
  }),
);
