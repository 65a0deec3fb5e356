// `npm run build`, after tsc: bundles the browser's scripts (src/web/browser/) into
// dist/web/browser/, where the built server reads them (src/web/assets/scripts.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { BROWSER_SCRIPTS, bundleBrowserScripts } from '../src/web/assets/bundler.js';

const out = new URL('../dist/web/browser/', import.meta.url);
mkdirSync(out, { recursive: true });
const { scripts } = bundleBrowserScripts();
for (const name of BROWSER_SCRIPTS) writeFileSync(new URL(`${name}.js`, out), scripts[name]);
console.log(`bundled ${BROWSER_SCRIPTS.length} browser scripts into dist/web/browser/`);
