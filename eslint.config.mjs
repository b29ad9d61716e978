// ESLint for the whole repository: typescript-eslint's type-checked rules over every TypeScript
// file the root tsconfig covers, and the rule that keeps the arrows between packages one way:
// core imports no other package; kubernetes and testing import only core; envtest only testing
// (its CRDs) and core; cli, controller and bench may import any.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports that leave a package through a relative path, into another package's files. */
const intoAnotherPackage = ['../../*', '../../../*'];

const onlyCore = {
  patterns: [
    { group: ['@capt-endpoint/*', '!@capt-endpoint/core', '!@capt-endpoint/core/*'], message: 'this package may import only @capt-endpoint/core' },
    { group: intoAnotherPackage, message: 'import another package by its name, not by a path into its files' },
  ],
};

const nodeGlobals = ['console', 'process', 'URL', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'AbortController', 'fetch', 'performance', 'global', 'gc', 'require', 'module', '__dirname', 'Buffer', 'TextDecoder', 'TextEncoder'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'docs/api/**', 'bench/.build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `const { a, ...rest } = object` is how a field is left out.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read JSON bodies, parsed YAML and objects of the wrong shape on purpose, hand jest
    // methods by reference, and fake async interfaces and servers with plain async functions.
    files: ['**/test/**/*.ts', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Node scripts in plain JavaScript: outside the TypeScript program, so no type-checked rules.
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { project: false, program: null, projectService: false },
      globals: Object.fromEntries(nodeGlobals.map((name) => [name, 'readonly'])),
    },
  },
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@capt-endpoint/*'], message: 'core imports no other package' }, { group: intoAnotherPackage, message: 'core imports no other package' }] },
      ],
      // The core reads top to bottom: small functions.
      'max-lines-per-function': ['error', { max: 50 }],
    },
  },
  { files: ['packages/kubernetes/src/**/*.ts', 'packages/testing/src/**/*.ts'], rules: { 'no-restricted-imports': ['error', onlyCore] } },
  {
    files: ['packages/envtest/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@capt-endpoint/*', '!@capt-endpoint/core', '!@capt-endpoint/core/*', '!@capt-endpoint/testing'], message: 'envtest may import only @capt-endpoint/testing and core' },
            { group: intoAnotherPackage, message: 'import another package by its name, not by a path into its files' },
          ],
        },
      ],
    },
  },
);
