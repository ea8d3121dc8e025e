// Each page is an HTML entry; its scripts, styles, fonts and Monaco's workers land in
// dist/assets/, which the API serves at /assets/ (nothing is fetched from elsewhere).
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: { graphiql: "graphiql.html", docs: "docs.html" },
      onwarn(warning, warn) {
        // React libraries mark modules "use client"; that means nothing in a static bundle.
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  worker: { format: "es" },
});
