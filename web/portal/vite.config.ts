// The customer portal's build: web/portal/ → web/dist/portal (index.html + hashed files in assets/), served by the
// server at `/portal` beside the dashboard (which builds first: its build empties web/dist). It shares the
// dashboard's API client, components and styles (imported from web/src); the same rules hold: everything bundled,
// no inline script or style, so the strict CSP holds.

import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/portal/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/portal', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
