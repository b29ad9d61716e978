import type { Config } from 'jest';

// Tests run from the TypeScript sources (CommonJS, compiled by swc); the built packages are
// checked separately by scripts/check-load.mjs. client-node and a few of its dependencies ship
// ESM only, so swc compiles them too instead of jest's default of leaving node_modules alone.
const esmOnly = [
  '@kubernetes/client-node',
  '@kubernetes/client-node-1',
  'openid-client',
  'oauth4webapi',
  'jose',
  'jsonpath-plus',
  'js-yaml',
  'socks-proxy-agent',
  'agent-base',
];

const REAL_SERVER_TESTS = '\\.real\\.test\\.ts$';

const shared = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', REAL_SERVER_TESTS],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: {
    '^@capt-endpoint/(core|testing|kubernetes|controller|cli|envtest)$': '<rootDir>/packages/$1/src/index.ts',
    '^@capt-endpoint/core/json$': '<rootDir>/packages/core/src/json.ts',
    '^@capt-endpoint/core/adapter$': '<rootDir>/packages/core/src/adapter.ts',
    '^@capt-endpoint/controller/offline$': '<rootDir>/packages/controller/src/offline.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  setupFiles: ['<rootDir>/jest.setup.ts'],
} satisfies Config['projects'] extends Array<infer P> | undefined ? Exclude<P, string> : never;

// Tests named *.real.test.ts need a real kube-apiserver and etcd: `npm run test:real` (part of
// `npm test`) finds or builds them and runs only these, with one server for all the files.
const realServer = {
  ...shared,
  displayName: 'real server',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testMatch: ['<rootDir>/packages/*/test/**/*.real.test.ts', '<rootDir>/examples/**/*.real.test.ts', '<rootDir>/deploy/test/**/*.real.test.ts'],
  globalSetup: '<rootDir>/packages/envtest/test/globalSetup.ts',
  globalTeardown: '<rootDir>/packages/envtest/test/globalTeardown.ts',
};

const config: Config = process.env['CAPT_REAL_SERVER'] === '1' ? { testTimeout: 120000, projects: [realServer] } : {
  testTimeout: 30000,
  projects: [
    { ...shared, displayName: 'all', testMatch: ['**/test/**/*.test.ts', '**/examples/**/*.test.ts'] },
    {
      // The adapter's peer range is ^1.3.0 (ADR 0083): run its tests again with 1.3.0 (installed
      // under an alias) in place of the 1.4.0 that npm picks by default. The consumer test is left
      // out: it runs the built package in a plain Node, which resolves the real 1.4.0.
      ...shared,
      displayName: 'kubernetes on client-node 1.3.0',
      testMatch: ['<rootDir>/packages/kubernetes/test/**/*.test.ts'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, 'consumers\\.test\\.ts$'],
      moduleNameMapper: { '^@kubernetes/client-node$': '@kubernetes/client-node-1', ...shared.moduleNameMapper },
    },
  ],
};

export default config;
