// The sandbox patron's page in the browser: the script, typed, is src/web/browser/patron.ts; this is its bundle (see bundler.ts).
import { browserScript } from './scripts.js';

export const PATRON_JS = browserScript('patron');
