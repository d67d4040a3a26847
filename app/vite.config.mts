import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * The field app's build: everything into dist/app, served by the hub at /app. No CDN and nothing
 * fetched at run time: the service worker precaches every file this build wrote.
 */
const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, '..', 'dist', 'app');

/** Writes the list of built files and a build id into sw.js (copied from public/). */
function precacheList(): Plugin {
  let files: string[] = [];
  return {
    name: 'field-app-precache',
    apply: 'build',
    generateBundle(_options, bundle) {
      files = Object.keys(bundle);
    },
    closeBundle() {
      const sw = resolve(outDir, 'sw.js');
      const list = ['./', ...files, 'manifest.webmanifest', 'icon.svg'].filter(
        (f) => !f.endsWith('.map'),
      );
      const version = Date.now().toString(36);
      writeFileSync(
        sw,
        readFileSync(sw, 'utf8')
          .replace('self.__PRECACHE__', JSON.stringify(list))
          .replace('self.__BUILD__', JSON.stringify(version)),
      );
    },
  };
}

export default defineConfig({
  root: here,
  base: '/app/',
  publicDir: resolve(here, 'public'),
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    // One county-boundary file is big; it loads only for the quick report and is precached.
    chunkSizeWarningLimit: 2000,
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [precacheList()],
});
