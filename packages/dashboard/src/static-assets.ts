import { readFile } from 'node:fs/promises';

/** The files of the page, served as they are (no build step): `assets/` beside `src/` and `dist/`. */
const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

const loaded = new Map<string, Promise<Buffer>>();

/** The asset served at `path` (relative to the dashboard's root), or undefined for any other path. */
export function assetAt(path: string): { type: string; body: () => Promise<Buffer> } | undefined {
  const asset = ASSETS[path];
  if (asset === undefined) return undefined;
  return {
    type: asset.type,
    body: () => {
      let body = loaded.get(asset.file);
      if (body === undefined) {
        body = readFile(new URL(`../assets/${asset.file}`, import.meta.url));
        // a failed read is tried again by the next request
        body.catch(() => loaded.delete(asset.file));
        loaded.set(asset.file, body);
      }
      return body;
    },
  };
}
