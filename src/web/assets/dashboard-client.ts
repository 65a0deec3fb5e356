// The payments list of the dashboard in the browser: the script, typed, is src/web/browser/dashboard.ts; this is its bundle (see bundler.ts).
import { browserScript } from './scripts.js';

export const DASHBOARD_JS = browserScript('dashboard');
