import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';
import { embedManifests } from './tsup.embed';
import { esModulesOfFpTs } from './tsup.esm';

// The executable alone, bundled with the workspace packages from their sources (paths in the
// root tsconfig), so `npm run demo` can build it in a second or two without the declaration
// builds. fp-ts and io-ts are bundled too, from their ES modules (see tsup.esm.ts): loading
// their many CommonJS files one by one was most of `--help`'s time. Other dependencies stay external and are imported only by the
// commands that use them; the demo's manifests are built in.
export default defineConfig(
  packageBuild({
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    tsconfig: '../../tsconfig.json',
    noExternal: [/^@capt-endpoint\//, /^fp-ts(\/|$)/, /^io-ts(\/|$)/],
    silent: true,
    esbuildPlugins: [embedManifests(), esModulesOfFpTs()],
  }),
);
