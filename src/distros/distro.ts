import type { Target } from '../backends/backend.js';
import type { BackendName } from '../backends/catalog.js';
import type { PackageFormat } from '../base/package-formats.js';

/** A distro definition as loaded from distros/*.yaml, after family inheritance. */
export interface Distro extends Target {
  /** the family this distro inherits from (rocky -> rhel); its own name for a root */
  family: string;
  description: string;
  defaultBackend: BackendName;
  /** backends this distro can run */
  backends: BackendName[];
  packageFormat: PackageFormat;
}
