// The packages as a user gets them: packs every public workspace package (`npm pack`), installs
// the tarballs into a fresh project outside the repository with npm's defaults (no overrides, no
// flags: npm picks the peer dependencies), and there checks
//   - ESM `import` and CommonJS `require` of each package, with the same names both ways;
//   - every relative link in a packed README points to a file in that package;
//   - the root README's TypeScript snippets type-check under `module: NodeNext` and run (the
//     controller snippet against a loopback API server from @capt-endpoint/testing);
//   - a unit test of the fake passes under jest with no configuration, and under vitest;
//   - `npx capt-endpoint --help`, `demo` and `demo --json`;
//   - a global install (`npm install -g --prefix`) of the packed command runs `capt-endpoint demo`.
// Needs the built packages (`npm test` builds first). Skipped, loudly, only when the npm registry
// cannot be reached. `KEEP=1` keeps the temporary directory.
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { packAll, publicPackages } from './pack.mjs';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (line) => console.log(`consumer: ${line} (${seconds()})`);
let passed = 0;
let failed = 0;
const check = async (name, body) => {
  try {
    await body();
    passed++;
    say(`ok   ${name}`);
  } catch (error) {
    failed++;
    console.error(`consumer: FAIL ${name}\n${String(error?.stderr || error?.stdout || error?.message || error).trim().split('\n').slice(-25).join('\n')}`);
  }
};
const assert = (condition, message) => {
  if (!condition) throw new Error(message);
};

/** Runs a command; rejects with its output when it fails. */
const run = async (command, args, options = {}) => {
  const { stdout, stderr } = await exec(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: 180_000, ...options });
  return { stdout, stderr };
};

// 0. The registry: without it nothing can be installed, and only then is this test skipped.
const reachable = await run('npm', ['ping'], { timeout: 20_000 }).then(
  () => true,
  () => false,
);
if (!reachable) {
  const bar = '!'.repeat(78);
  console.log(`${bar}\n!! CONSUMER TEST SKIPPED: the npm registry cannot be reached (npm ping failed).\n!! The packed packages were NOT installed or tried in a fresh project.\n${bar}`);
  process.exit(0);
}

// 1. Pack every public workspace package, as `npm publish` would (`npm run pack`).
const packages = publicPackages();
const names = packages.map((p) => p.manifest.name);
const rootVersion = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version;
// Every entry point a user can import: each package and each subpath of its exports map.
const entryPoints = packages.flatMap((p) =>
  Object.keys(p.manifest.exports ?? { '.': null })
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => (subpath === '.' ? p.manifest.name : `${p.manifest.name}/${subpath.slice(2)}`)),
);
for (const p of packages) assert(existsSync(join(p.dir, 'dist')), `${p.manifest.name} is not built: run npm run build first`);

const work = mkdtempSync(join(tmpdir(), 'capt-endpoint-consumer-'));
const packed = packAll(join(work, 'tarballs'));
const tarballOf = new Map(packed.map((entry) => [entry.name, entry.tarball]));
say(`packed ${packed.map((entry) => `${entry.name} (${(entry.size / 1024).toFixed(0)} kB)`).join(', ')}`);

await check('every relative link in a packed README points to a file in its package', async () => {
  const missing = [];
  for (const entry of packed) {
    const files = new Set(entry.files.map((file) => file.path));
    const readmePath = join(packages.find((p) => p.manifest.name === entry.name).dir, 'README.md');
    if (!existsSync(readmePath)) {
      console.log(`consumer: WARNING ${entry.name} has no README.md`);
      continue;
    }
    const readme = readFileSync(readmePath, 'utf8');
    for (const [, target] of readme.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue;
      const path = posix.normalize(target);
      if (!files.has(path)) missing.push(`${entry.name}: ${target}`);
    }
  }
  assert(missing.length === 0, `links to files the package does not ship:\n${missing.join('\n')}`);
});

// 2. A fresh project, outside the repository, that installs the tarballs with npm's defaults.
const project = join(work, 'project');
mkdirSync(project);
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'capt-endpoint-consumer', private: true, type: 'module' }, null, 2));
// The test tools first, from npm's cache where it has them; then the packages, with npm's defaults.
const tools = ['typescript@~5.9', '@types/node@^20', 'jest@^30', 'vitest@~4.1'];
let installStarted = Date.now();
await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tools], { cwd: project, timeout: 300_000 });
say(`installed ${tools.join(', ')} in ${((Date.now() - installStarted) / 1000).toFixed(1)} s`);
installStarted = Date.now();
await run('npm', ['install', ...tarballOf.values()], { cwd: project, timeout: 300_000 });
say(`installed ${names.join(', ')} with npm's defaults in ${((Date.now() - installStarted) / 1000).toFixed(1)} s`);
const clientNode = JSON.parse(readFileSync(join(project, 'node_modules/@kubernetes/client-node/package.json'), 'utf8')).version;
say(`npm chose @kubernetes/client-node ${clientNode}`);

await check('each entry point loads with import and with require, with the same names, in a project with only the tarballs', async () => {
  writeFileSync(
    join(project, 'load.cjs'),
    `const { createRequire } = require('node:module');
const names = ${JSON.stringify(entryPoints)};
(async () => {
  for (const name of names) {
    const esm = Object.keys(await import(name)).filter((k) => k !== 'default' && k !== 'module.exports').sort();
    const cjs = Object.keys(require(name)).filter((k) => k !== 'default' && k !== '__esModule').sort();
    if (esm.length === 0) throw new Error(name + ' exports nothing');
    if (esm.join() !== cjs.join()) throw new Error(name + ': import and require give different names');
    console.log(name + ': ' + esm.length + ' names');
  }
})().catch((error) => { console.error(error); process.exit(1); });
`,
  );
  await run(process.execPath, ['load.cjs'], { cwd: project });
  // And each alone in a process of its own, so that one package cannot lend another what it lacks.
  await Promise.all(entryPoints.map((name) => run(process.execPath, ['-e', `require(${JSON.stringify(name)}); import(${JSON.stringify(name)}).catch((e) => { console.error(e); process.exit(1); })`], { cwd: project })));
});

await check('@capt-endpoint/testing loads without @kubernetes/client-node', async () => {
  const { stdout } = await run(
    process.execPath,
    ['-e', `require('@capt-endpoint/testing'); console.log(Object.keys(require.cache).filter((f) => f.includes('client-node')).length)`],
    { cwd: project },
  );
  assert(stdout.trim() === '0', `client-node was loaded: ${stdout}`);
});

// 3. The root README's TypeScript snippets: type-checked as a user's NodeNext project, then run.
const snippets = [...readFileSync(join(repo, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const snippetDir = join(project, 'snippets');
mkdirSync(snippetDir);
snippets.forEach((code, i) => writeFileSync(join(snippetDir, `readme-${i + 1}.ts`), code));
writeFileSync(
  join(project, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, outDir: 'out', types: ['node'], skipLibCheck: true },
    include: ['snippets/*.ts'],
  }),
);
await check(`the README's ${snippets.length} TypeScript snippets type-check under module NodeNext`, async () => {
  assert(snippets.length > 0, 'README.md has no ```ts snippet');
  await run(join(project, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: project });
});
await check("the README's snippets run", async () => {
  // A loopback API server holding the example manifests, Terraform done, for snippets that
  // load the default kubeconfig.
  const manifests = ['cluster.yaml', 'controlplane.yaml', 'workspacetemplateapply.yaml', 'later/workspace-applied.yaml', 'connection-secret.yaml']
    .map((file) => readFileSync(join(repo, 'examples/manifests', file), 'utf8'))
    .join('\n---\n');
  writeFileSync(join(project, 'manifests.yaml'), manifests);
  writeFileSync(
    join(project, 'serve.mjs'),
    `import { readFileSync, writeFileSync } from 'node:fs';
import { startFakeApiServer } from '@capt-endpoint/testing';
const server = await startFakeApiServer({ objects: readFileSync('manifests.yaml', 'utf8') });
writeFileSync('kubeconfig.yaml', server.kubeConfigYaml('team-a'));
console.log('ready');
process.stdin.on('data', () => {}).on('end', () => server.close().then(() => process.exit(0)));
`,
  );
  const server = spawn(process.execPath, ['serve.mjs'], { cwd: project, stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    await new Promise((resolve, reject) => {
      server.stdout.once('data', resolve);
      server.once('exit', () => reject(new Error('the loopback API server did not start')));
    });
    for (let i = 0; i < snippets.length; i++) {
      const { stdout } = await run(process.execPath, [join('out', `readme-${i + 1}.js`)], {
        cwd: project,
        env: { ...process.env, KUBECONFIG: join(project, 'kubeconfig.yaml') },
        timeout: 30_000,
      });
      say(`     snippet ${i + 1} printed: ${stdout.trim().split('\n')[0] ?? ''}`);
    }
  } finally {
    server.stdin.end();
  }
});

// 4. A unit test of the fake under jest with no configuration (CommonJS) and under vitest (ESM).
const fakeTest = (header) => `${header}
const yaml = ${JSON.stringify(readFileSync(join(repo, 'examples/manifests/controlplane.yaml'), 'utf8'))};

test('the fake serves what it was seeded with, and records writes', async () => {
  const fake = createFakeClient(yaml);
  const ref = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'CAPTControlPlane', namespace: 'team-a', name: 'demo' };
  const got = await fake.get(ref)();
  expect(got._tag).toBe('Right');
  expect(got.right.metadata.name).toBe('demo');
  expect(fake.writes()).toHaveLength(0);
  const result = await reconcileEndpoint(fake, { namespace: 'team-a', name: 'demo' })();
  expect(result._tag).toBe('Right');
});
`;
mkdirSync(join(project, 'jest-tests'));
writeFileSync(
  join(project, 'jest-tests', 'fake.test.cjs'),
  fakeTest(`const { createFakeClient } = require('@capt-endpoint/testing');\nconst { reconcileEndpoint } = require('@capt-endpoint/core');`),
);
mkdirSync(join(project, 'vitest-tests'));
writeFileSync(
  join(project, 'vitest-tests', 'fake.test.mjs'),
  fakeTest(`import { expect, test } from 'vitest';\nimport { createFakeClient } from '@capt-endpoint/testing';\nimport { reconcileEndpoint } from '@capt-endpoint/core';`),
);
await check('a test of the fake passes under jest with no configuration', async () => {
  const { stderr } = await run(join(project, 'node_modules/.bin/jest'), ['--ci', 'jest-tests'], { cwd: project });
  assert(/Tests:\s+1 passed, 1 total/.test(stderr), stderr);
});
await check('a test of the fake passes under vitest with no configuration', async () => {
  const { stdout } = await run(join(project, 'node_modules/.bin/vitest'), ['run', 'vitest-tests'], { cwd: project, env: { ...process.env, CI: 'true' } });
  assert(/1 passed/.test(stdout), stdout);
});

// 5. The command, from the project that installed it.
const demoResults = (stdout) => stdout.trim().split('\n').map((line) => JSON.parse(line).result);
const STORY = ['Waiting', 'Updated', 'UpToDate', 'Drift', 'CleanedUp'];
await check('npx capt-endpoint --help, demo and demo --json', async () => {
  const help = await run('npx', ['capt-endpoint', '--help'], { cwd: project });
  assert(/^Usage:$/m.test(help.stdout) && help.stdout.includes('capt-endpoint demo'), help.stdout);
  const demo = await run('npx', ['capt-endpoint', 'demo'], { cwd: project });
  assert(demo.stdout.includes('requests: 4 reads, 0 writes; exit status 0'), demo.stdout);
  const json = await run('npx', ['capt-endpoint', 'demo', '--json'], { cwd: project });
  assert(demoResults(json.stdout).join() === STORY.join(), json.stdout);
});

// 6. A global install of the packed command. The other packages are not on the registry before a
// release, so they are handed to npm as tarballs beside the command's, as a release would serve them.
await check('npm install -g of the packed command runs capt-endpoint demo', async () => {
  const prefix = join(work, 'global');
  await run('npm', ['install', '-g', '--prefix', prefix, ...tarballOf.values()], { cwd: work, timeout: 300_000 });
  const bin = join(prefix, 'bin', 'capt-endpoint');
  const { stdout } = await run(bin, ['demo', '--json'], { cwd: work, env: { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` } });
  assert(demoResults(stdout).join() === STORY.join(), stdout);
  const version = JSON.parse(readFileSync(join(prefix, 'lib/node_modules/@capt-endpoint/cli/node_modules/@kubernetes/client-node/package.json'), 'utf8')).version;
  say(`     the global command has @kubernetes/client-node ${version}`);
});

// 7. deploy/Dockerfile's stages without a container engine: the build stage from its build
// context alone (the COPY sources, less what .dockerignore leaves out; the repository's
// node_modules stand in for `npm ci` of the same lockfile), then its RUN steps; the install
// stage's `npm install` of the packed command; then the ENTRYPOINT and CMD it starts.
await check("deploy/Dockerfile's stages build from its context and the command it starts runs", async () => {
  const dockerfile = readFileSync(join(repo, 'deploy/Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages = dockerfile.split(/^FROM /m).slice(1).map((stage) => stage.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#')));
  // .dockerignore's exclusions (its leading `*` and `!` lines are the COPY sources themselves), as patterns of whole paths.
  const ignored = readFileSync(join(repo, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && line !== '*' && !line.startsWith('!'))
    .map((pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(?:.*/)?').replace(/\*(?![^(]*\))/g, '[^/]*')}$`));
  const context = join(work, 'image', 'src');
  for (const line of stages[0].filter((l) => l.startsWith('COPY '))) {
    const [dest, ...sources] = line.slice(5).trim().split(/\s+/).reverse();
    for (const source of sources.reverse()) {
      const target = dest === './' ? join(context, source) : join(context, dest);
      cpSync(join(repo, source), target, { recursive: true, filter: (path) => !ignored.some((pattern) => pattern.test(relative(repo, path).split('\\').join('/'))) });
    }
  }
  symlinkSync(join(repo, 'node_modules'), join(context, 'node_modules'));
  const steps = stages[0].find((l) => l.startsWith('RUN ')).slice(4).split('&&').map((step) => step.trim()).filter((step) => !step.startsWith('npm ci'));
  const packs = join(work, 'image', 'packs');
  for (const step of steps) {
    const [command, ...args] = step.replace('/packs', packs).split(/\s+/);
    if (command === 'mkdir') mkdirSync(packs, { recursive: true });
    else await run(command, args, { cwd: context, timeout: 600_000 });
  }
  const app = join(work, 'image', 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{"name":"capt-endpoint-image","private":true}');
  const tarballsBuilt = readdirSync(packs).map((file) => join(packs, file));
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', ...tarballsBuilt], { cwd: app, timeout: 300_000 });
  const final = stages[stages.length - 1];
  const entrypoint = JSON.parse(final.find((l) => l.startsWith('ENTRYPOINT ')).slice(11));
  const cmd = JSON.parse(final.find((l) => l.startsWith('CMD ')).slice(4));
  const script = entrypoint[1].replace(/^\/app\//, `${app}/`);
  assert(existsSync(script), `the entry point ${entrypoint[1]} is not in the installed image`);
  const version = await run(process.execPath, [script, '--version'], { cwd: app });
  assert(version.stdout.trim() === `capt-endpoint ${rootVersion}`, version.stdout);
  const help = await run(process.execPath, [script, ...cmd, '--help'], { cwd: app });
  assert(help.stdout.includes('capt-endpoint run'), help.stdout);
  // With no cluster to reach, the command CMD starts fails fast with one line, as it would in a Pod without a ServiceAccount.
  const started = await run(process.execPath, [script, ...cmd], { cwd: app, env: { PATH: process.env.PATH, HOME: app } }).then(
    () => ({ code: 0, stderr: '' }),
    (error) => ({ code: error.code, stderr: String(error.stderr) }),
  );
  assert(started.code === 1 && started.stderr.trim().split('\n').length === 1, `CMD without a cluster: exit ${started.code}: ${started.stderr}`);
});

console.log(`consumer test on Node ${process.version}: ${passed} passed, ${failed} failed (${seconds()})`);
// Removing a node_modules tree takes seconds: a detached rm does it after this process ends.
if (process.env.KEEP) say(`kept ${work}`);
else spawn('rm', ['-rf', work], { detached: true, stdio: 'ignore' }).unref();
process.exit(failed === 0 ? 0 : 1);
