/** Profile selection for every command: -p FILE, else ./mpgen.yaml, else the embedded default. */
import { existsSync } from 'node:fs';
import { ProfileError, formatDiagnostics } from '../profile/diagnostics.js';
import { DEFAULT_PROFILE_NAME, DEFAULT_PROFILE_YAML } from '../profile/default-profile.js';
import { loadModelFromText, readProfileText } from '../model/load.js';
import type { Model } from '../model/model.js';
import { UserError } from '../base/user-error.js';

export interface CliModel {
  model: Model;
  /** the file read, or DEFAULT_PROFILE_NAME */
  source: string;
  usedDefault: boolean;
}

export function loadModelForCli(profile?: string, opts: { quiet?: boolean } = {}): CliModel {
  let source = profile;
  if (source === undefined && existsSync('mpgen.yaml')) source = 'mpgen.yaml';
  try {
    if (source === undefined) {
      if (!opts.quiet)
        process.stderr.write(
          `mpgen: no -p FILE and no ./mpgen.yaml: using the ${DEFAULT_PROFILE_NAME} (four ADSL lines bonded with teql). \`mpgen init\` writes it to a file you can edit.\n`,
        );
      const { model } = loadModelFromText(DEFAULT_PROFILE_YAML, DEFAULT_PROFILE_NAME);
      return { model, source: DEFAULT_PROFILE_NAME, usedDefault: true };
    }
    const { model, warnings } = loadModelFromText(readProfileText(source), source);
    if (warnings.length > 0 && !opts.quiet) process.stderr.write(formatDiagnostics(warnings));
    return { model, source, usedDefault: false };
  } catch (e) {
    if (e instanceof ProfileError) throw new UserError(e.message, 1);
    throw e;
  }
}
