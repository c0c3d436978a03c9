/**
 * The package formats mpgen writes, with what each writes: the keys of the
 * packager registry (registry.ts, which must implement exactly these), the
 * distros' package_format enum, and `mpgen package --format` and its help.
 * Kept apart from the registry so that reading the distros or printing help
 * does not load the writers.
 */
export const FORMAT_OUTPUTS = {
  deb: 'NAME_VERSION_all.deb',
  rpm: 'NAME-VERSION-RELEASE.noarch.rpm and NAME-VERSION-RELEASE.rpmlintrc',
  tar: 'NAME-VERSION.tar.gz with install.sh and uninstall.sh (as `mpgen bundle`)',
} as const;

export type PackageFormat = keyof typeof FORMAT_OUTPUTS;
export const PACKAGE_FORMATS = Object.keys(FORMAT_OUTPUTS) as [PackageFormat, ...PackageFormat[]];

export const isPackageFormat = (s: string): s is PackageFormat => Object.hasOwn(FORMAT_OUTPUTS, s);

/** "deb, rpm or tar" */
export const formatChoices = (): string => `${PACKAGE_FORMATS.slice(0, -1).join(', ')} or ${PACKAGE_FORMATS[PACKAGE_FORMATS.length - 1]}`;
