// The page scripts as text, for the asset table. Built (dist/): read once from the files the build
// wrote beside this module. From source (tsx, vitest: no build has run, and a stale one must not
// be served): bundled by esbuild on first use and kept in memory for the life of the process.
import { readFileSync } from 'node:fs';
import { bundleBrowserScripts, type BrowserScript, type Bundles } from './bundler.js';

const FROM_SOURCE = import.meta.url.endsWith('.ts');
let bundles: Bundles | undefined;

/** A page script's JavaScript, as served at /assets/<name>.<hash>.js. */
export function browserScript(name: BrowserScript): string {
  if (FROM_SOURCE) {
    bundles ??= bundleBrowserScripts();
    return bundles.scripts[name];
  }
  const file = new URL(`../browser/${name}.js`, import.meta.url);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`The page script ${file.pathname} is missing: run \`npm run build\` (it bundles src/web/browser/).`, { cause: err });
  }
}
