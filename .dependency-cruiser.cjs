/**
 * The dependency direction of DESIGN.md, enforced in CI (`npm run lint:layers`):
 *   gateway -> core, adapters, contracts;  adapters -> contracts;  core -> contracts;
 *   core and adapters never import NestJS or Fastify;  nothing but tests imports test/ (the
 *   embedded demo may start the agency simulators).
 */
module.exports = {
  forbidden: [
    { name: 'contracts-are-leaves', severity: 'error', from: { path: '^contracts' }, to: { path: '^(gateway|core|adapters|test)/' } },
    { name: 'core-only-contracts', severity: 'error', from: { path: '^core' }, to: { path: '^(gateway|adapters|test)/' } },
    { name: 'adapters-only-contracts', severity: 'error', from: { path: '^adapters' }, to: { path: '^(gateway|core|test)/' } },
    { name: 'no-nest-in-core-or-adapters', severity: 'error', from: { path: '^(core|adapters|contracts)' }, to: { path: 'node_modules/(@nestjs|fastify|@fastify)/' } },
    {
      name: 'product-code-does-not-import-tests',
      severity: 'error',
      from: { path: '^gateway', pathNot: '^gateway/src/embedded/' },
      to: { path: '^test/' },
    },
    { name: 'embedded-demo-uses-only-simulators', severity: 'error', from: { path: '^gateway/src/embedded/' }, to: { path: '^test/', pathNot: '^test/simulators/' } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.spec\\.ts$|\\.int-spec\\.ts$|\\.e2e-spec\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
