// The API report of every entry point of every package (packages/<name>/api/*.api.md), made
// by API Extractor from the built declarations. `node scripts/api-report.mjs` checks that the
// committed reports match the build, so a package's public surface changes only on purpose;
// `--update` rewrites them after a change that is meant (npm run api:update).
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const update = process.argv.includes('--update');
const root = fileURLToPath(new URL('..', import.meta.url));
const quiet = { logLevel: 'none' };

/** Each entry point of a package: its name, its built declarations and its report's file name. */
const entriesOf = (dir, manifest) =>
  Object.keys(manifest.exports ?? { '.': null })
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => {
      const file = subpath === '.' ? 'index' : subpath.slice(2);
      return {
        name: subpath === '.' ? manifest.name : `${manifest.name}/${file}`,
        declarations: `${root}packages/${dir}/dist/${file}.d.ts`,
        report: subpath === '.' ? `${dir}.api.md` : `${dir}-${file}.api.md`,
      };
    });

let failed = 0;
for (const dir of readdirSync(`${root}packages`)) {
  const packageJsonFullPath = `${root}packages/${dir}/package.json`;
  const manifest = JSON.parse(readFileSync(packageJsonFullPath, 'utf8'));
  for (const entry of entriesOf(dir, manifest)) {
    const reportFolder = `${root}packages/${dir}/api/`;
    const tempFolder = `${root}packages/${dir}/dist/api/`;
    mkdirSync(reportFolder, { recursive: true });
    mkdirSync(tempFolder, { recursive: true });
    if (!existsSync(entry.declarations)) {
      console.error(`api report: ${entry.name}: ${entry.declarations} is missing; build first`);
      failed++;
      continue;
    }
    const config = ExtractorConfig.prepare({
      configObjectFullPath: `${root}packages/${dir}/api-extractor.json`,
      packageJsonFullPath,
      configObject: {
        projectFolder: `${root}packages/${dir}`,
        mainEntryPointFilePath: entry.declarations,
        compiler: { overrideTsconfig: { compilerOptions: { strict: true, skipLibCheck: true, moduleResolution: 'bundler', module: 'esnext', target: 'es2022', lib: ['es2022', 'dom'], types: ['node'] } } },
        apiReport: { enabled: true, reportFileName: entry.report, reportFolder, reportTempFolder: tempFolder },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        messages: {
          compilerMessageReporting: { default: { logLevel: 'error' } },
          extractorMessageReporting: {
            default: { logLevel: 'warning' },
            // One package, one release level: no @public/@beta tags.
            'ae-missing-release-tag': quiet,
            // Documentation is reviewed in the sources, not counted here.
            'ae-undocumented': quiet,
            // A type used in a signature but not exported stays nameable in the report.
            'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
          },
          tsdocMessageReporting: { default: quiet },
        },
      },
    });
    const result = Extractor.invoke(config, { localBuild: update, typescriptCompilerFolder: `${root}node_modules/typescript`, messageCallback: (message) => {
      if (message.logLevel === 'none' || message.logLevel === 'verbose') message.handled = true;
    } });
    if (result.succeeded) console.log(`api report: ${entry.name}: ${update && result.apiReportChanged ? 'updated' : 'matches'}`);
    else {
      failed++;
      console.error(`api report: ${entry.name}: ${result.apiReportChanged ? `the public API changed; if that is meant, run npm run api:update and commit packages/${dir}/api/${entry.report}` : `${result.errorCount} errors, ${result.warningCount} warnings`}`);
    }
  }
}
process.exit(failed === 0 ? 0 : 1);
