// The pages' CSS and JS, kept as TypeScript string modules so that `tsc` carries them into dist/
// and they are served by posgate itself (no CDN, no build step). Each is served under a name with
// its content hash, so browsers may cache it for good and a new release is fetched at once.
import { createHash } from 'node:crypto';
import { CHECK_IN_JS } from './check-in-client.js';
import { CLIENT_JS } from './client.js';
import { DASHBOARD_JS } from './dashboard-client.js';
import { DASHBOARD_CSS } from './dashboard-styles.js';
import { DISPLAY_JS } from './display-client.js';
import { PATRON_JS } from './patron-client.js';
import { PAY_JS } from './pay-client.js';
import { STYLES_CSS } from './styles.js';

export interface Asset {
  name: string;
  path: string;
  body: string;
  contentType: string;
  etag: string;
}

const SOURCES: Record<string, string> = {
  'styles.css': STYLES_CSS,
  'client.js': CLIENT_JS,
  'pay.js': PAY_JS,
  'display.js': DISPLAY_JS,
  'patron.js': PATRON_JS,
  'check-in.js': CHECK_IN_JS,
  'dashboard.css': DASHBOARD_CSS,
  'dashboard.js': DASHBOARD_JS,
};

const TYPES: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8' };

function build(name: string, body: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const dot = name.lastIndexOf('.');
  const extension = name.slice(dot + 1);
  return { name, path: `/assets/${name.slice(0, dot)}.${hash}.${extension}`, body, contentType: TYPES[extension] as string, etag: `"${hash}"` };
}

export const ASSETS: ReadonlyMap<string, Asset> = new Map(Object.entries(SOURCES).map(([name, body]) => [name, build(name, body)]));
const BY_PATH: ReadonlyMap<string, Asset> = new Map([...ASSETS.values()].map((asset) => [asset.path, asset]));

/** Where a page links an asset (hashed name). */
export function assetPath(name: string): string {
  const asset = ASSETS.get(name);
  if (!asset) throw new Error(`no asset ${name}`);
  return asset.path;
}

export function assetAt(path: string): Asset | undefined {
  return BY_PATH.get(path);
}
