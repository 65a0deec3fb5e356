// The check-in page in the browser: the script, typed, is src/web/browser/check-in.ts; this is its bundle (see bundler.ts).
import { browserScript } from './scripts.js';

export const CHECK_IN_JS = browserScript('check-in');
