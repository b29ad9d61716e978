import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';
import { embedManifests } from './tsup.embed';

// `main` plays the demo too: the library build holds the same built-in manifests as the command.
export default defineConfig(packageBuild({ esbuildPlugins: [embedManifests()] }));
