import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Builds a self-contained static GraphiQL into ../web/graphiql_dist/ (package data of the wheel): index.html + assets/ (JS, CSS, Monaco
// web workers), and the backfills dashboard next to it: dashboard.html (plain ES modules and the
// graphql-ws client, web/dashboard.py). Every URL in the output is relative (base './'), so the
// gateway can serve the directory under any path prefix; nothing is fetched from another host at run time.
export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: '../web/graphiql_dist',
    emptyOutDir: true,
    // Monaco alone is a few MB; there is no smaller split worth having for a single tool page.
    chunkSizeWarningLimit: 6000,
    sourcemap: false,
    rolldownOptions: {
      input: {
        graphiql: fileURLToPath(new URL('./index.html', import.meta.url)),
        dashboard: fileURLToPath(new URL('./dashboard.html', import.meta.url)),
      },
      onwarn(warning, warn) {
        // GraphiQL's React-Compiler output starts modules with "use no memo"; bundling drops
        // the directive, which is harmless for a production build.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
