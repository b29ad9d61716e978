// Placeholder until this package's issue lands: the package name, so the load check has an export to compare.
export const packageName = '@capt-endpoint/cli';
