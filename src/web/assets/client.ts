// The shared browser code of the pages (window.posgate): the script, typed, is src/web/browser/client.ts; this is its bundle (see bundler.ts).
import { browserScript } from './scripts.js';

export const CLIENT_JS = browserScript('client');
