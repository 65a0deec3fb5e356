// The dashboard's stylesheet, on top of styles.css: a wider page, a navigation bar, tables that
// scroll sideways on a phone, and figures and charts that reflow from one column to several.
export const DASHBOARD_CSS = String.raw`
.page-dashboard main { max-width: 72rem; }
.dash-nav { background: #0e1a2b; color: #fff; }
.dash-nav .inner { max-width: 72rem; margin: 0 auto; padding: 0.5rem 1rem; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; align-items: center; }
.dash-nav a { color: #fff; text-decoration: none; padding: 0.35rem 0.1rem; }
.dash-nav a[aria-current="page"] { border-bottom: 2px solid var(--focus); }
.dash-nav .brand { font-weight: 800; margin-right: 0.5rem; }
.dash-nav .who { margin-left: auto; display: flex; gap: 0.5rem; align-items: center; font-size: 0.9rem; }
.dash-nav form { margin: 0; }
.dash-nav button { min-height: 2rem; padding: 0.2rem 0.6rem; border-color: #fff; color: #fff; background: transparent; }
.mode-test { background: var(--warn-bg); color: var(--warn); text-align: center; font-weight: 600; padding: 0.3rem; }
.table-wrap { overflow-x: auto; }
table.data { border-collapse: collapse; width: 100%; background: var(--paper); font-size: 0.95rem; }
table.data th, table.data td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
table.data td.num, table.data th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data tfoot td { font-weight: 700; }
.filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: 0 0.75rem; align-items: end; }
.filters button { margin-top: 0.6rem; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 0.75rem; }
.stat .value { font-size: 1.4rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.chart { margin: 0; }
.chart svg { width: 100%; height: auto; display: block; }
.chart .bar { fill: var(--brand); }
.chart .axis { stroke: var(--line); }
.chart text { font-size: 10px; fill: var(--muted); }
.timeline { list-style: none; padding: 0; margin: 0; }
.timeline li { padding: 0.35rem 0; border-bottom: 1px solid var(--page); }
.pill { display: inline-block; border-radius: 999px; padding: 0.05rem 0.55rem; font-size: 0.85rem; font-weight: 600; background: var(--page); }
.pill[data-status="succeeded"], .pill[data-status="delivered"] { background: var(--ok-bg); color: var(--ok); }
.pill[data-status="failed"], .pill[data-status="cancelled"], .pill[data-status="expired"] { background: var(--bad-bg); color: var(--bad); }
.flash { background: var(--ok-bg); color: var(--ok); border-radius: 8px; padding: 0.6rem 0.75rem; font-weight: 600; }
.error-box { background: var(--bad-bg); color: var(--bad); border-radius: 8px; padding: 0.6rem 0.75rem; font-weight: 600; }
.secret { background: var(--warn-bg); border-radius: 8px; padding: 0.6rem 0.75rem; overflow-wrap: anywhere; }
.inline { display: inline; }
.grid-2 { display: grid; grid-template-columns: 1fr; gap: 0.75rem; }
@media (min-width: 60rem) { .grid-2 { grid-template-columns: 1fr 1fr; } }
.page-login main { max-width: 24rem; padding-top: 3rem; }
`;
