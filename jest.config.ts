import type { Config } from 'jest';

// Tests run from the TypeScript sources (CommonJS, compiled by swc); the built packages are
// checked separately by scripts/check-load.mjs. client-node and a few of its dependencies ship
// ESM only, so swc compiles them too instead of jest's default of leaving node_modules alone.
const esmOnly = ['@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jose', 'jsonpath-plus', 'js-yaml', 'socks-proxy-agent', 'agent-base'];

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testMatch: ['**/test/**/*.test.ts', '**/examples/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: {
    '^@capt-endpoint/(core|testing|kubernetes|cli)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 30000,
  setupFiles: ['<rootDir>/jest.setup.ts'],
};

export default config;
