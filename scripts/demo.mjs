// `npm run demo`: builds the command's bin when its sources changed since it was last built
// (scripts/binBuild.mjs), then plays the demo with this process's arguments (`-- --json`).
// The build's output goes to stderr, so `npm run --silent demo -- --json` prints only JSON lines.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './binBuild.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = `${root}packages/cli/dist/bin.js`;

await ensureBuilt({
  root,
  bin,
  stamp: `${root}packages/cli/dist/bin.sources`,
  build: () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const built = spawnSync(npm, ['run', 'build:bin', '--silent', '-w', '@capt-endpoint/cli'], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
    if (built.status !== 0) process.exit(built.status ?? 1);
  },
});
const played = spawn(process.execPath, [bin, 'demo', ...process.argv.slice(2)], { stdio: 'inherit' });
// A signal to `npm run demo` reaches the demo, which ends on it.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => played.kill(signal));
played.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128 + 15)));
