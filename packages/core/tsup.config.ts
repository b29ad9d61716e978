import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

// The core is portable: no Node built-ins, so it builds for a neutral platform.
export default defineConfig(packageBuild({ platform: 'neutral' }));
