import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { analysisForms } from './build/analysis-forms.ts';

/** The demo page: `npm run build:web` (scripts/build-web.ts) writes it to `dist/`, the server serves it at `/`. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  clearScreen: false,
  plugins: [react()],
  // the start forms, derived from the analyses' zod input schemas: the page gets plain data, no server code
  define: { __ANALYSIS_FORMS__: JSON.stringify(analysisForms()) },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // the server caches /assets/* forever: vite names them by content hash
    assetsDir: 'assets',
    reportCompressedSize: false,
    rollupOptions: {
      onwarn(warning, warn) {
        // a dependency's comments that rollup drops: nothing to act on, and noise on every `npm start`
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/')) return;
        warn(warning);
      },
    },
  },
});
