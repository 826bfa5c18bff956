/**
 * The companion's layer rules, as ../shared/DESIGN.md draws them (`npm run lint:deps`, part of `npm test`):
 *
 *   engine   pure decisions; imports nothing but itself
 *   store    the companion's own tables; knows no use case
 *   crm      ports (crm/*.port.ts) and adapters (crm/local, crm/salesforce)
 *   routing  the use cases; jobs start them; neither knows a transport
 *   http     the API and the preview
 *   main.ts, cli/   the composition roots: the only modules that pick an adapter (the CLI routes the demo org)
 *   config.ts, periodic-task.ts   outside the layers: the settings, and the one background timer loop
 */
const ADAPTERS = '^companion/src/crm/(local|salesforce)/';
const ROOTS = '^companion/src/(main[.]ts$|cli/)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two modules are one concept or a layer is upside down: cut it.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports is dead (entry points excepted): delete it or use it.',
      from: {
        orphan: true,
        path: '^companion/src/',
        pathNot: [ROOTS, '[.]cli[.]ts$', '[.]d[.]ts$'],
      },
      to: {},
    },
    {
      name: 'engine-is-pure',
      severity: 'error',
      comment: 'The engine decides and does nothing else: it imports only engine modules and pure libraries.',
      from: { path: '^companion/src/engine/' },
      to: {
        pathNot: [
          '^companion/src/engine/',
          '^node_modules/(yaml|tldts|zod|email-providers|disposable-email-domains-js)/',
        ],
      },
    },
    {
      name: 'adapters-only-from-roots',
      severity: 'error',
      comment:
        'Only a composition root picks an adapter; everything else talks to the ports in crm/*.port.ts.',
      from: { path: '^companion/src/', pathNot: [ROOTS, ADAPTERS] },
      to: { path: ADAPTERS },
    },
    {
      name: 'store-knows-no-use-case',
      severity: 'error',
      comment: 'Storage keeps tables; it must not know routing, jobs, the API or the CRM adapters.',
      from: { path: '^companion/src/store/' },
      to: { path: '^companion/src/(routing|jobs|http|cli|crm)/' },
    },
    {
      name: 'use-cases-know-no-transport',
      severity: 'error',
      comment:
        'Routing and jobs are called by the API and by schedules alike: they never import http or express.',
      from: { path: '^companion/src/(routing|jobs)/' },
      to: { path: ['^companion/src/(http|cli)/', '^node_modules/express/'] },
    },
    {
      name: 'ports-know-no-adapter',
      severity: 'error',
      comment: 'A port is owned by the side that uses it; it must not depend on what implements it.',
      from: { path: '^companion/src/crm/[^/]+[.]ts$' },
      to: { path: ADAPTERS },
    },
    {
      name: 'nothing-imports-tests',
      severity: 'error',
      comment: 'Shipped code never imports test code.',
      from: { path: '^(companion/src|scripts)/' },
      to: { path: '^(companion/test|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
