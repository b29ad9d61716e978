// Checks that every built package loads in Node both as ESM (`import`) and as CommonJS
// (`require`) and exposes the same names each way. This catches what jest cannot: a built
// file that imports a directory (fp-ts subpaths), a missing `exports` entry, a CJS/ESM mismatch.
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';

const require = createRequire(import.meta.url);
const packages = readdirSync(new URL('../packages/', import.meta.url));
let failed = 0;
let checked = 0;
/** The package's entry points: its name, and each subpath of its `exports` map (`@capt-endpoint/core/json`). */
const entriesOf = (manifest) =>
  Object.keys(manifest.exports ?? { '.': null })
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => (subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`));

for (const dir of packages) {
  const manifest = JSON.parse(readFileSync(new URL(`../packages/${dir}/package.json`, import.meta.url), 'utf8'));
  for (const name of entriesOf(manifest)) {
    try {
      const esm = await import(name);
      const cjs = require(name);
      const esmNames = Object.keys(esm).filter((k) => k !== 'default' && k !== 'module.exports').sort();
      const cjsNames = Object.keys(cjs).filter((k) => k !== 'default' && k !== '__esModule').sort();
      if (esmNames.join() !== cjsNames.join()) throw new Error(`ESM and CJS export different names:\n  esm ${esmNames}\n  cjs ${cjsNames}`);
      if (esmNames.length === 0) throw new Error('exports nothing');
      checked++;
      console.log(`load ok: ${name} (${esmNames.length} exports, import and require)`);
    } catch (error) {
      failed++;
      console.error(`load FAILED: ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
console.log(`load check: ${checked} entry points load, ${failed} do not`);
process.exit(failed === 0 ? 0 : 1);
