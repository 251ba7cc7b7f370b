/**
 * The layer rules of docs/architecture.md, enforced (`npm run lint:boundaries`):
 * - a layer imports only the layers above it in the table (no import runs up the order);
 * - another layer is reached only through its entry points (its index.ts, or a light entry
 *   named below and in docs/architecture.md);
 * - no runtime import cycles.
 */
const LAYERS = ['core', 'exec', 'db', 'queue', 'lake', 'docs', 'agents', 'pm', 'mcp', 'ui', 'cli'];

/** Second, light entries kept for start-up time; each is listed in docs/architecture.md. */
const LIGHT_ENTRIES = [
  '^src/[^/]+/migrations\\.ts$',
  '^src/docs/format\\.ts$',
  '^src/docs/search/index\\.ts$',
  '^src/docs/(library|sync|ocr)/index\\.ts$',
  '^src/core/errors\\.ts$',
  '^src/lake/sql\\.ts$',
  '^src/mcp/clients\\.ts$',
  '^src/mcp/docs/index\\.ts$',
];

const below = (layer) => LAYERS.slice(LAYERS.indexOf(layer) + 1);

module.exports = {
  forbidden: [
    ...LAYERS.filter((layer) => below(layer).length).map((layer) => ({
      name: `layer-order-${layer}`,
      comment: `${layer}/ may import only the layers above it: ${LAYERS.slice(0, LAYERS.indexOf(layer)).join(', ') || 'none'}`,
      severity: 'error',
      from: { path: `^src/${layer}/` },
      to: { path: `^src/(${below(layer).join('|')})/` },
    })),
    {
      name: 'layer-entry-points',
      comment: 'another layer is used through its index.ts (or a light entry named in docs/architecture.md)',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: {
        path: '^src/[^/]+/',
        pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', ...LIGHT_ENTRIES],
      },
    },
    {
      name: 'no-runtime-cycles',
      severity: 'error',
      from: {},
      comment:
        'a cycle of runtime imports; one that passes through a type-only import is allowed (it vanishes at run time)',
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
