import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lwcConfig from '@salesforce/eslint-config-lwc';
import globals from 'globals';

const scoped = (configs, files) => configs.map((config) => ({ ...config, files }));

/**
 * The engine decides; it never does I/O or reads the clock or randomness. These rules are the
 * boundary check: anything under companion/src/engine that breaks them fails `npm test`.
 */
const engineBoundary = {
  files: ['companion/src/engine/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['node:*', 'fs', 'fs/*', 'http', 'https', 'net', 'child_process', 'worker_threads', 'os'],
            message: 'The engine does no I/O: take what it needs as an argument.',
          },
          {
            group: ['express', 'jsforce', 'pg', 'kysely', '@electric-sql/*', 'pg-boss', 'pino', 'undici'],
            message: 'The engine does no I/O: adapters live outside companion/src/engine.',
          },
          {
            group: ['**/crm/**', '**/store/**', '**/http/**', '**/routing/**', '**/jobs/**', '**/cli/**'],
            message: 'The engine may not depend on the layers that use it.',
          },
        ],
      },
    ],
    'no-restricted-properties': [
      'error',
      { object: 'Date', property: 'now', message: 'Read the time from the context (context.now).' },
      { object: 'Math', property: 'random', message: 'Decisions are deterministic: no randomness.' },
      { object: 'performance', property: 'now', message: 'The engine does not read clocks.' },
      { object: 'crypto', property: 'randomUUID', message: 'Decisions are deterministic: no randomness.' },
    ],
    'no-restricted-globals': [
      'error',
      { name: 'process', message: 'The engine does not read the environment.' },
      { name: 'fetch', message: 'The engine does no I/O.' },
      { name: 'setTimeout', message: 'The engine does not schedule.' },
      { name: 'setInterval', message: 'The engine does not schedule.' },
      { name: 'require', message: 'The engine does no I/O.' },
    ],
    'no-restricted-syntax': [
      'error',
      {
        selector: "NewExpression[callee.name='Date'][arguments.length=0]",
        message: 'new Date() reads the clock: use context.now.',
      },
      {
        selector: "CallExpression[callee.name='Date']",
        message: 'Date() reads the clock: use context.now.',
      },
      {
        selector: 'ImportExpression',
        message: 'The engine loads nothing at run time.',
      },
    ],
  },
};

export default [
  {
    ignores: [
      'node_modules/**',
      '.switchyard/**',
      'coverage/**',
      'dist/**',
      'test-results/**',
      '.sf/**',
      '.sfdx/**',
      'companion/preview/dist/**',
    ],
  },
  ...scoped([js.configs.recommended, ...tseslint.configs.recommended], ['**/*.ts']),
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  engineBoundary,
  ...scoped(lwcConfig.configs.recommended, ['force-app/**/lwc/**/*.js', 'scripts/preview/**/*.js']),
  {
    files: ['force-app/**/lwc/**/__tests__/**/*.js', 'force-app/test/**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    // Tests drive wire adapters directly (getRecord.emit(...)), as sfdx-lwc-jest intends.
    rules: { '@lwc/lwc/no-unexpected-wire-adapter-usages': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ignores: ['force-app/**/lwc/**', 'scripts/preview/**'],
    languageOptions: { globals: { ...globals.node } },
  },
];
