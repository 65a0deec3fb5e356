// The browser's scripts (src/web/browser/*.ts, typed against the DOM) bundled by esbuild into one
// self-contained classic script each: no import at run time, nothing from another origin, so they
// run under the pages' CSP (script-src 'self'). Constants they share with the server (MAX_AMOUNT,
// CHANNELS) are imported from the server's own modules and inlined here, so they cannot drift.
// `npm run build` writes the bundles next to the compiled server (scripts/build-browser.ts);
// running from source (tsx, vitest) bundles them in memory instead (scripts.ts).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';

/** The page scripts, by asset name without `.js` (client.js is the shared window.posgate). */
export const BROWSER_SCRIPTS = ['client', 'pay', 'display', 'patron', 'check-in', 'dashboard'] as const;
export type BrowserScript = (typeof BROWSER_SCRIPTS)[number];

// src/web/assets/ and dist/web/assets/ are both three levels below the project
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCES = 'src/web/browser';

export interface Bundles {
  scripts: Record<BrowserScript, string>;
  /** Which source files went into which script (project-relative paths): what it shares with the server. */
  inputs: Record<BrowserScript, string[]>;
}

const OPTIONS: Esbuild.BuildOptions = {
  absWorkingDir: ROOT, // the same bytes (and so the same hashed URL) whatever the current directory
  entryPoints: Object.fromEntries(BROWSER_SCRIPTS.map((name) => [name, `${SOURCES}/${name}.ts`])),
  outdir: 'bundles', // never written (write: false): it only names the outputs
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020', // the chromium, Firefox and Safari of phones in use; BigInt stays native
  legalComments: 'none',
  metafile: true,
  write: false,
  logLevel: 'silent',
};

/** Bundles every page script, synchronously (esbuild is loaded only here: dist/ never needs it at run time). */
export function bundleBrowserScripts(): Bundles {
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
  const result = esbuild.buildSync(OPTIONS);
  const scripts = {} as Record<BrowserScript, string>;
  const inputs = {} as Record<BrowserScript, string[]>;
  for (const name of BROWSER_SCRIPTS) {
    scripts[name] = outputFor(result.outputFiles ?? [], name).text;
    inputs[name] = inputsOf(result.metafile as Esbuild.Metafile, name);
  }
  return { scripts, inputs };
}

function outputFor(files: Esbuild.OutputFile[], name: string): Esbuild.OutputFile {
  const file = files.find((f) => f.path.endsWith(`/bundles/${name}.js`));
  if (!file) throw new Error(`esbuild wrote no bundle for ${name}`);
  return file;
}

function inputsOf(metafile: Esbuild.Metafile, name: string): string[] {
  const output = metafile.outputs[`bundles/${name}.js`];
  return output ? Object.keys(output.inputs) : [];
}
