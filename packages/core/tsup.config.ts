import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

// The core is portable: no Node built-ins, so it builds for a neutral platform. Three entries:
// the domain for controller authors (`@capt-endpoint/core`), what adapters and fakes need
// (`@capt-endpoint/core/adapter`) and the JSON helpers (`@capt-endpoint/core/json`).
export default defineConfig(packageBuild({ platform: 'neutral', entry: ['src/index.ts', 'src/adapter.ts', 'src/json.ts'] }));
