// HTML building for the patron-facing pages: escaping, and the one layout every page shares.
import { assetPath } from './assets/index.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML text node or a quoted attribute value. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => ENTITIES[ch] as string);
}

/** JSON for a `<script type="application/json">` data block: nothing in it can close the element. */
export function jsonBlock(id: string, value: unknown): string {
  const json = JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `<script type="application/json" id="${esc(id)}">${json}</script>`;
}

export interface PageOptions {
  title: string;
  /** The inner HTML of <main>, already escaped. */
  main: string;
  /** Asset names of the page scripts (after the shared client script). */
  scripts?: string[];
  /** A class on <body> (page-specific layout). */
  bodyClass?: string;
  /** Attributes of <main> (already escaped). */
  mainAttributes?: string;
  /** Data blocks placed after <main>. */
  data?: string;
}

/** A page's opening up to `</head>`, the same for every page: its title, styles and deferred scripts, all served by posgate. */
export function documentHead(head: { title: string; styles: readonly string[]; scripts: readonly string[]; extraMeta?: readonly string[] }): string[] {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    ...(head.extraMeta ?? []),
    `<title>${esc(head.title)}</title>`,
    '<link rel="icon" href="data:,">',
    ...head.styles.map((name) => `<link rel="stylesheet" href="${assetPath(name)}">`),
    ...head.scripts.map((name) => `<script src="${assetPath(name)}" defer></script>`),
    '</head>',
  ];
}

/** A whole page: no inline script or style (the CSP forbids both), assets served by posgate. */
export function page(options: PageOptions): string {
  const scripts = options.scripts?.length ? ['client.js', ...options.scripts] : [];
  return [
    ...documentHead({ title: options.title, styles: ['styles.css'], scripts, extraMeta: ['<meta name="color-scheme" content="light">'] }),
    `<body${options.bodyClass ? ` class="${esc(options.bodyClass)}"` : ''}>`,
    `<main${options.mainAttributes ? ` ${options.mainAttributes}` : ''}>`,
    options.main,
    '</main>',
    options.data ?? '',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A small page for a link that does not work (unknown request, bad display key, …). */
export function errorPage(status: number, heading: string, detail: string): string {
  return page({
    title: `${heading} · posgate`,
    bodyClass: 'page-error',
    main: `<h1>${esc(heading)}</h1>\n<p class="lead">${esc(detail)}</p>\n<p class="muted">Error ${esc(status)}</p>`,
  });
}
