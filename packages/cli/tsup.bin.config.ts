import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';
import { embedManifests } from './tsup.embed';

// The executable alone, bundled with the workspace packages from their sources (paths in the
// root tsconfig), so `npm run demo` can build it in a second or two without the declaration
// builds. Third-party dependencies stay external; the demo's manifests are built in.
export default defineConfig(
  packageBuild({
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    tsconfig: '../../tsconfig.json',
    noExternal: [/^@capt-endpoint\//],
    silent: true,
    esbuildPlugins: [embedManifests()],
  }),
);
