import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

// Two entries: the whole controller (`@capt-endpoint/controller`), and what needs no cluster
// (`@capt-endpoint/controller/offline`), which loads neither client-node nor prom-client.
export default defineConfig(packageBuild({ entry: ['src/index.ts', 'src/offline.ts'] }));
