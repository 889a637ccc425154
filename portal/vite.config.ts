import { defineConfig } from 'vite';

// The app sends a strict Content-Security-Policy: no inline scripts or styles, so nothing may be inlined.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:7071' },
  },
});
