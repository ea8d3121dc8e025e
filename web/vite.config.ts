// Each page is an HTML entry: the web app (Svelte) at `/`, GraphiQL (React) at /graphql, the
// API docs at /docs. Their scripts, styles, fonts and Monaco's workers land in dist/assets/,
// which the API serves at /assets/ (nothing is fetched from elsewhere).
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

export default defineConfig(({ mode }) => ({
  base: "/",
  plugins: [svelte()],
  // Vitest mounts components in a DOM (jsdom, where a test asks for it): Svelte's browser build.
  resolve: mode === "test" ? { conditions: ["browser"] } : {},
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: { app: "index.html", graphiql: "graphiql.html", docs: "docs.html" },
      onwarn(warning, warn) {
        // React libraries mark modules "use client"; that means nothing in a static bundle.
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  worker: { format: "es" },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
}));
