#!/usr/bin/env node
// The command's entry, kept in git so that npm links `capt-endpoint` at install time, before
// anything is built. The command itself is the build's dist/bin.js.
import('../dist/bin.js').catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bin.js')) throw error;
  process.stderr.write('capt-endpoint: the command is not built yet: run `npm run build` (or `npm ci`, which builds it) in the repository\n');
  process.exit(1);
});
