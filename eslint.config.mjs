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

// Import patterns of our layers: "**/LAYER/*" matches relative imports of that layer at any depth.
const layers = (names) =>
  names.map((n) => ({
    group: [`**/${n}/*`, `**/${n}`],
    message: `This layer may not import src/${n} (docs/architecture.md).`,
  }));
/** The composition root and the settings module: only adapters and the root use them. */
const roots = [
  {
    group: ['**/services', '**/config', '**/identity'],
    message: 'The composition root and settings are wiring (docs/architecture.md).',
  },
];
const azure = [
  { group: ['@azure/*', 'durable-functions'], message: 'No Azure SDK here (docs/architecture.md).' },
];
/** An adapter: no runtime import of the other adapters' internals, nor of src/local. */
const adapter = (name, others) => [
  {
    files: [`src/${name}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [...layers(others).map((p) => ({ ...p, allowTypeImports: true })), ...layers(['local'])],
        },
      ],
    },
  },
];

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
  // Layer rules (docs/architecture.md): the domain imports nothing of ours; the application layer (src/app) imports
  // only the domain and itself (its ports may name adapters' types, type-only); adapters import src/app and the
  // domain, never each other's internals (type-only imports of shapes are allowed); production never imports
  // src/local. functions/ and src/services.ts (the composition root) wire everything.
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
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...azure,
            ...layers(['app', 'http', 'store', 'email', 'orchestration', 'local', 'web']),
            ...roots,
          ],
        },
      ],
    },
  },
  {
    files: ['src/app/**/*.ts'],
    ignores: ['src/app/ports.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...azure,
            ...layers(['http', 'store', 'email', 'orchestration', 'local', 'web']),
            ...roots,
          ],
        },
      ],
    },
  },
  {
    files: ['src/app/ports.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...[
              ...azure,
              ...layers(['http', 'store', 'email', 'orchestration', 'local', 'web']),
              ...roots,
            ].map((p) => ({ ...p, allowTypeImports: true })),
          ],
        },
      ],
    },
  },
  ...adapter('http', ['store', 'email', 'orchestration']),
  ...adapter('store', ['http', 'email', 'orchestration', 'app']),
  ...adapter('email', ['http', 'store', 'orchestration', 'app']),
  ...adapter('orchestration', ['http', 'store', 'email']),
  {
    files: ['src/**/*.ts', 'functions/**/*.ts'],
    ignores: [
      'src/local/**',
      'src/web/**',
      'src/domain/**',
      'src/app/**',
      'src/http/**',
      'src/store/**',
      'src/email/**',
      'src/orchestration/**',
    ],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: layers(['local']) }] },
  },
);
