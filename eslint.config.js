import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', 'shared/reporter/build/**', '**/node_modules/**', 'data/**', 'bench/results/**', 'shared/pytest-plugin/**', '**/fixtures/**', 'services/api/static/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@pytest-platform/*/src/*', '**/services/*/src/**'], message: 'Import a shared package by its name; services never import each other.' },
          ],
        },
      ],
    },
  },
  {
    // Small functions that say what they do: a guard, so no closure grows back to hundreds of lines.
    files: ['services/*/src/**/*.ts', 'shared/*/src/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 120 }] },
  },
  {
    // No test depends on how fast something runs: speed is measured by `npm run bench`, as ratios.
    files: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='expect'] CallExpression[callee.property.name='now'][callee.object.name=/^(Date|performance)$/]",
          message: 'No timing assertion in a test: how fast something runs is for `npm run bench` (bench/README.md).',
        },
      ],
    },
  },
);
