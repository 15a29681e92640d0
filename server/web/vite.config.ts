// Builds the admin portal (Preact, no JSX plugin: Vite's own oxc transform does JSX) into
// server/web/dist, which the server serves with an index.html fallback for client-side routes.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: join(root, 'dist'),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 400,
  },
  // `npx vite server/web` during development: API and live socket go to a server on :8080.
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } } },
});
