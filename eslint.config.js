// Flat ESLint config: correctness rules from eslint and typescript-eslint (no type information,
// so it stays fast) plus the fences between runtimes. Formatting is not linted.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');
const reactHooks = require('eslint-plugin-react-hooks');

const electronBan = {
  name: 'electron',
  message: 'Only src/main/index.ts, src/main/electron/** and src/preload/** may use Electron; the engine and shared code run in plain Node and the browser.',
};
const nodeBuiltinBan = {
  group: ['node:*'],
  message: 'The renderer runs in a sandboxed page: no Node built-ins. Ask the engine through window.outbox.',
};

module.exports = tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', '.native/**', 'coverage/**', 'security/report*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      // Unused names are a smell, but an underscore marks a deliberate one.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Test doubles and parsed mail are loosely typed by nature; say it where it happens.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Sanitisers match control characters on purpose.
      'no-control-regex': 'off',
      // Style, not correctness: left to the author.
      'prefer-const': 'off',
      'no-useless-escape': 'off',
      'no-useless-assignment': 'off',
      'preserve-caught-error': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    files: ['**/*.cjs', 'eslint.config.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/main/engine/**', 'src/shared/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronBan], patterns: [{ group: ['electron/*'], message: electronBan.message }] }] },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': ['error', { paths: [electronBan, ...['fs', 'path', 'child_process', 'os', 'net', 'crypto'].map((name) => ({ name, message: nodeBuiltinBan.message }))], patterns: [nodeBuiltinBan] }],
    },
  },
  {
    files: ['src/preload/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
