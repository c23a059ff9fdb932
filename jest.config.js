// Two projects: `unit` (fast, in-process) and `integration` (real servers, real databases, the real kuzzle-sdk).
// @swc/jest only transpiles; `npm run typecheck` does the type-checking.
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};

// Tests run against the sources, not the build output.
const moduleNameMapper = {
  '^@tessera/plugin-sdk$': '<rootDir>/packages/plugin-sdk/src/index.ts',
  '^@tessera/server$': '<rootDir>/apps/server/src/index.ts',
  '^@tessera/plugin-([^/]+)$': '<rootDir>/plugins/$1/src/index.ts',
  '^@tessera/([^/]+)$': '<rootDir>/packages/$1/src/index.ts',
};

const project = (displayName, extra = {}) => ({
  displayName,
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
  testMatch: [`<rootDir>/{packages,plugins,apps}/*/test/${displayName}/**/*.test.ts`],
  ...extra,
});

module.exports = {
  // Integration tests start servers and child processes; a 2-core CI machine needs the margin.
  testTimeout: 30_000,
  projects: [project('unit'), project('integration', { slowTestThreshold: 20 })],
};
