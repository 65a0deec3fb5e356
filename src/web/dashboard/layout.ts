// The dashboard's page frame: navigation (what the user's role may open), the test/live switch,
// sign-out, and small rendering helpers (times in the merchant's zone, money, status pills, forms).
import { formatMoney } from '../../core/money.js';
import { may } from '../../app/use-cases/sessions.js';
import { documentHead, esc } from '../html.js';
import type { DashboardRequestState } from './session.js';

export type Section = 'overview' | 'payments' | 'webhooks' | 'reports' | 'audit' | 'users' | 'keys';

const NAV: { section: Section; href: string; label: string; manage?: boolean }[] = [
  { section: 'overview', href: '/dashboard', label: 'Overview' },
  { section: 'payments', href: '/dashboard/payment-requests', label: 'Payments' },
  { section: 'webhooks', href: '/dashboard/webhooks', label: 'Webhooks' },
  { section: 'reports', href: '/dashboard/reports', label: 'Reports' },
  { section: 'audit', href: '/dashboard/audit', label: 'Audit log' },
  { section: 'keys', href: '/dashboard/keys', label: 'Terminals & keys', manage: true },
  { section: 'users', href: '/dashboard/users', label: 'Users', manage: true },
];

/** The hidden field every form of a session carries. */
export function csrfField(state: DashboardRequestState): string {
  return `<input type="hidden" name="_csrf" value="${esc(state.signedIn.session.csrfToken)}">`;
}

export function money(minor: number, currency: string): string {
  return esc(formatMoney(minor, currency));
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();
/** "2026-01-15 13:04:05" on the merchant's wall clock (sv-SE writes ISO-like dates). */
export function time(ms: number | null, zone: string): string {
  if (ms === null) return '';
  let format = timeFormats.get(zone);
  if (!format) timeFormats.set(zone, (format = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })));
  return esc(format.format(new Date(ms)));
}

export function pill(status: string): string {
  return `<span class="pill" data-status="${esc(status)}">${esc(status.replace(/_/g, ' '))}</span>`;
}

export interface DashboardPageOptions {
  title: string;
  section: Section;
  main: string;
  flash?: string | null;
  scripts?: string[];
}

export function dashboardPage(state: DashboardRequestState, options: DashboardPageOptions): string {
  const { user, merchant } = state.signedIn;
  const links = NAV.filter((item) => !item.manage || may(user, 'manage'))
    .map((item) => `<a href="${item.href}"${item.section === options.section ? ' aria-current="page"' : ''}>${esc(item.label)}</a>`).join('\n');
  const other = state.livemode ? 'test' : 'live';
  return [
    ...documentHead({ title: `${options.title} · ${merchant.name} · posgate`, styles: ['styles.css', 'dashboard.css'], scripts: options.scripts ?? [] }),
    '<body class="page-dashboard">',
    '<nav class="dash-nav" aria-label="Dashboard"><div class="inner">',
    `<span class="brand">posgate</span>`,
    links,
    '<span class="who">',
    `<span>${esc(user.email)} (${esc(user.role)})</span>`,
    `<form method="post" action="/dashboard/mode">${csrfField(state)}<input type="hidden" name="mode" value="${other}"><button type="submit">View ${other} mode</button></form>`,
    `<form method="post" action="/dashboard/logout">${csrfField(state)}<button type="submit">Sign out</button></form>`,
    '</span>',
    '</div></nav>',
    state.livemode ? '' : '<div class="mode-test" role="status">Test mode: test data only, no real money</div>',
    '<main>',
    options.flash ? `<p class="flash" role="status">${esc(options.flash)}</p>` : '',
    options.main,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
