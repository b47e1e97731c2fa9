/**
 * Renderer build: `npx vite build -c src/renderer/vite.config.ts` (also called by scripts/build.mjs).
 * Output goes to dist/renderer with base './' and relative asset URLs, so the same files work under Electron's
 * app:// scheme and from the loopback bridge. Nothing is inlined into index.html (the CSP forbids inline script
 * and style), and the `crossorigin` attribute Vite adds to tags is removed because a custom scheme serving its own
 * files needs no CORS mode.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

function stripCrossorigin(): Plugin {
  return {
    name: 'gliofuse-strip-crossorigin',
    enforce: 'post',
    transformIndexHtml: (html) => html.replace(/\s+crossorigin(="[^"]*")?/g, ''),
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [react(), stripCrossorigin()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Inlined assets would become data: URLs; keep every asset a file so the CSP stays simple.
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'chrome130',
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
});
