// The dashboard's build: web/ → web/dist (index.html + hashed files in assets/), served by the server at `/`.
// Everything is bundled (no CDN, no external fonts); no inline script or style, so the strict CSP holds.

import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // Inlined assets would become data: URLs in scripts or styles; keep every asset a file of its own.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
