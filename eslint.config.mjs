import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/**
 * The named `z` export keeps every module of zod (its ~50 locales) in the bundle; `import * as z from 'zod'`
 * lets esbuild drop what is unused (docs/benchmarks.md).
 */
const zodNamespaceOnly = {
  selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
  message: "Use `import * as z from 'zod'`: the named `z` keeps all of zod in the bundle.",
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'build-tsc/',
      '.data/',
      'coverage/',
      'scratch/',
      'dist-web/',
      'dist-swa/',
      'test-output/',
      'src/web/src/api/schema.gen.ts',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': ['error', zodNamespaceOnly],
    },
  },
  {
    // Tests read loosely-typed JSON responses.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Plain Node CommonJS probes (bench/*.cjs) run without a build step.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The portal: React hooks rules.
    files: ['src/web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // The store's raw document layer is private: only the store, the local runtime and tests reach it.
    files: ['src/**/*.{ts,tsx}', 'functions/**/*.ts'],
    ignores: ['src/store/**', 'src/local/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/store/documents', '**/store/raw'],
              message: 'Use the store methods (src/store/ports.ts); the document layer is private.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@azure/*', 'durable-functions'] }],
    },
  },
);
