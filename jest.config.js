/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // jose 6 ships ESM only; transform it to CommonJS for jest (Node itself loads it with require(esm)).
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // The Functions host answers require('@azure/functions-core'); the local runtime stands in for it.
  moduleNameMapper: { '^@azure/functions-core$': '<rootDir>/src/local/functionsCore.ts' },
  // Every fast-check run uses the run's seed (FC_SEED or the fixed default; test/support/seeds.ts).
  setupFiles: ['<rootDir>/test/support/fastCheckSetup.ts'],
  testTimeout: 60000,
  // Builds the portal once per run when src/web changed (the browser tests serve it).
  globalSetup: '<rootDir>/test/browser/globalSetup.ts',
  maxWorkers: 2,
};
