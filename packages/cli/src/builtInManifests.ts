/**
 * The demo's manifests built into the command. The build replaces this module (see
 * tsup.embed.ts) with the YAML files of the repository's examples/manifests, keyed by their path
 * in that directory, so an installed command plays the demo without the repository. Run from the
 * sources (tests, type-check) there are none, and the demo reads ./examples/manifests.
 */
import type { ManifestFiles } from './demo';

export const BUILT_IN_MANIFESTS: ManifestFiles | undefined = undefined;
