/**
 * One Jest run, three tiers told apart by file name:
 *   *.spec.ts      unit specs beside the code (nock for adapters)
 *   *.int-spec.ts  integration specs on real PostgreSQL / Redis / simulators (test/integration)
 *   *.e2e-spec.ts  the whole app over HTTP (test/e2e)
 * Services come from KIUNGO_TEST_DATABASE_URL / KIUNGO_TEST_REDIS_URL; see test/factories/services.ts.
 */
const swcConfig = require('fs').readFileSync(__dirname + '/.swcrc', 'utf8');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/gateway', '<rootDir>/adapters', '<rootDir>/contracts', '<rootDir>/core', '<rootDir>/test', '<rootDir>/bench'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', JSON.parse(swcConfig)] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  globalSetup: '<rootDir>/test/factories/global-setup.ts',
  globalTeardown: '<rootDir>/test/factories/global-teardown.ts',
  // Fails a test file whose app answered something the OpenAPI document does not describe.
  setupFilesAfterEnv: ['<rootDir>/test/factories/response-contract.setup.ts'],
  maxWorkers: 2,
  testTimeout: 60000,
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/bench/results/'],
};
