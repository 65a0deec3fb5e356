// The customer display in the browser: the script, typed, is src/web/browser/display.ts; this is its bundle (see bundler.ts).
import { browserScript } from './scripts.js';

export const DISPLAY_JS = browserScript('display');
