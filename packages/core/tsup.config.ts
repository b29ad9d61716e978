import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

// The core is portable: no Node built-ins, so it builds for a neutral platform. Two entries:
// the domain (`@capt-endpoint/core`) and the JSON helpers (`@capt-endpoint/core/json`).
export default defineConfig(packageBuild({ platform: 'neutral', entry: ['src/index.ts', 'src/json.ts'] }));
