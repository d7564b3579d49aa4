/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // The Functions host answers require('@azure/functions-core'); the local runtime stands in for it.
  moduleNameMapper: { '^@azure/functions-core$': '<rootDir>/src/local/functionsCore.ts' },
  testTimeout: 60000,
  maxWorkers: 2,
};
