// The pay page in the browser: the script, typed, is src/web/browser/pay.ts; this is its bundle (see bundler.ts).
import { browserScript } from './scripts.js';

export const PAY_JS = browserScript('pay');
