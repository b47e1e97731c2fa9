/**
 * Import rules of docs/architecture.md, checked by `npm run check:imports` and by
 * test/unit/architecture/import-rules.test.ts (so `npm test` fails on a wrong import).
 *
 * Layers: shells (electron/, bridge/, cli/) → router.ts + services.ts → capabilities (src/main/<capability>/) →
 * src/shared/. Native libraries (koffi for OpenSlide/TurboJPEG, onnxruntime-node) load only in worker processes.
 * Folder-level cycles and "native code only in workers" are checked by scripts/check-imports.mjs on this graph:
 * dependency-cruiser works per module, and its reachability rules also walk type-only imports, which load nothing.
 */
const SHELLS = '^src/main/(electron|bridge|cli)/';
const CAPABILITY = '^src/main/(?!electron/|bridge/|cli/)[^/]+/';

module.exports = {
  forbidden: [
    {
      name: 'electron-only-in-shell',
      comment: 'Services are plain Node; only the Electron shell may import electron.',
      severity: 'error',
      from: { pathNot: '^src/main/electron/' },
      to: { path: '^electron$|(^|/)node_modules/electron/' },
    },
    {
      name: 'shared-is-pure',
      comment: 'src/shared is imported by every process and the renderer: it may import only itself and zod.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { pathNot: '^src/shared/|(^|/)node_modules/zod/' },
    },
    {
      name: 'capability-imports-no-shell',
      comment: 'A capability never depends on the shell that calls it.',
      severity: 'error',
      from: { path: CAPABILITY },
      to: { path: SHELLS },
    },
    {
      name: 'capability-imports-no-router',
      comment: 'Handlers take their types from handler-types.ts; the router and composition sit above capabilities.',
      severity: 'error',
      from: { path: CAPABILITY },
      to: { path: '^src/main/(router|services|core-handlers)\\.ts$' },
    },
    {
      name: 'renderer-talks-through-api',
      comment: 'The renderer reaches the main side only through the contract (src/shared) and api.ts.',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { path: '^src/main/' },
    },
    {
      name: 'main-side-imports-no-renderer',
      severity: 'error',
      from: { path: '^src/(main|shared)/' },
      to: { path: '^src/renderer/' },
    },
    {
      name: 'no-module-cycles',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // node_modules is not followed but stays in the graph: the electron and native-code rules need those edges.
    exclude: { path: '\\.d\\.ts$' },
  },
};
