// The pages' one stylesheet: mobile first, system fonts, WCAG AA contrast, visible focus.
export const STYLES_CSS = String.raw`
:root {
  --ink: #14171a;
  --muted: #4a5560;
  --line: #cfd6dd;
  --paper: #ffffff;
  --page: #f2f4f7;
  --brand: #0b57d0;
  --brand-ink: #ffffff;
  --ok: #146c2e;
  --ok-bg: #e6f4ea;
  --bad: #b3261e;
  --bad-bg: #fce8e6;
  --warn: #7a4f01;
  --warn-bg: #fff4d6;
  --focus: #f5a300;
  --radius: 12px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.45;
  color: var(--ink);
  background: var(--page);
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; min-height: 100vh; }
main { max-width: 34rem; margin: 0 auto; padding: 1rem; display: flex; flex-direction: column; gap: 0.75rem; }
h1 { font-size: 1.5rem; margin: 0.1rem 0; overflow-wrap: anywhere; }
h2 { font-size: 1.05rem; margin: 0 0 0.5rem; }
p { margin: 0.35rem 0; }
a { color: var(--brand); }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem; }
.eyebrow { text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.8rem; color: var(--muted); margin: 0; }
.amount { font-size: 2.25rem; font-weight: 700; margin: 0.25rem 0; font-variant-numeric: tabular-nums; overflow-wrap: break-word; }
.description, .hint { color: var(--muted); }
.hint { font-size: 0.92rem; }
.badge { display: inline-block; background: var(--warn-bg); color: var(--warn); border-radius: 999px; padding: 0.1rem 0.6rem; font-size: 0.85rem; font-weight: 600; }
.status { font-size: 1.2rem; font-weight: 700; margin: 0; padding: 0.5rem 0.75rem; border-radius: 8px; background: var(--page); }
.status[data-state="paid"] { background: var(--ok-bg); color: var(--ok); font-size: 1.5rem; }
.status[data-state="declined"], .status[data-state="failed"], .status[data-state="expired"], .status[data-state="cancelled"] { background: var(--bad-bg); color: var(--bad); font-size: 1.5rem; }
.time-left { font-variant-numeric: tabular-nums; color: var(--muted); }
.figures { display: grid; grid-template-columns: 1fr; gap: 0.4rem; margin: 0.25rem 0; }
.figures > div { display: flex; justify-content: space-between; gap: 1rem; border-bottom: 1px solid var(--page); padding-bottom: 0.3rem; }
.figures dt { color: var(--muted); }
.figures dd { margin: 0; font-weight: 600; text-align: right; font-variant-numeric: tabular-nums; min-width: 0; }
.items { list-style: none; margin: 0; padding: 0; }
.items li { display: flex; gap: 0.5rem; padding: 0.35rem 0; border-bottom: 1px solid var(--page); }
.items .item-name { flex: 1; overflow-wrap: anywhere; }
.items .item-qty { color: var(--muted); }
.items .item-total { font-variant-numeric: tabular-nums; font-weight: 600; }
.channels { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: 0.5rem; }
button { font: inherit; font-weight: 600; min-height: 2.75rem; padding: 0.55rem 1rem; border-radius: 10px; border: 2px solid var(--brand); background: var(--paper); color: var(--brand); cursor: pointer; }
button.primary { background: var(--brand); color: var(--brand-ink); }
button.secondary { border-color: var(--muted); color: var(--ink); }
button[aria-pressed="true"] { background: var(--brand); color: var(--brand-ink); }
button:disabled { opacity: 0.6; cursor: progress; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
label { display: block; font-weight: 600; margin: 0.6rem 0 0.25rem; }
input, select { font: inherit; width: 100%; min-height: 2.75rem; padding: 0.45rem 0.6rem; border: 2px solid var(--muted); border-radius: 8px; background: var(--paper); color: var(--ink); }
input[aria-invalid="true"] { border-color: var(--bad); }
.panel { margin-top: 0.75rem; border-top: 1px solid var(--line); padding-top: 0.5rem; }
.panel button { margin-top: 0.6rem; }
.actions { display: flex; gap: 0.5rem; flex-wrap: wrap; margin-top: 0.75rem; }
.actions button { flex: 1 1 8rem; }
.mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.break { overflow-wrap: anywhere; word-break: break-all; }
.note { color: var(--muted); }
.message:empty { display: none; }
.message { background: var(--bad-bg); color: var(--bad); border-radius: 8px; padding: 0.6rem 0.75rem; font-weight: 600; }
.connection { color: var(--warn); background: var(--warn-bg); border-radius: 8px; padding: 0.4rem 0.75rem; }
.foot { text-align: center; color: var(--muted); font-size: 0.85rem; padding: 0.5rem 0 1.5rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.qr svg { display: block; width: 100%; max-width: 18rem; height: auto; margin: 0.5rem auto; }
.barcode svg { display: block; width: 100%; height: 5.5rem; margin: 0.5rem auto; }
.code { text-align: center; font-size: 1.05rem; overflow-wrap: anywhere; }
.requests { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 0.5rem; }
.requests li { border: 1px solid var(--line); border-radius: 10px; padding: 0.75rem; }
.requests .request-amount { font-size: 1.35rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.page-error main { padding-top: 3rem; }
.lead { font-size: 1.1rem; }

/* the customer display: a screen facing the patron, read from a distance, never scrolled */
.page-display { background: #0e1a2b; color: #ffffff; }
.page-display main { max-width: 64rem; min-height: 100vh; padding: 2vh 1rem; gap: 1vh; justify-content: center; text-align: center; }
.page-display .merchant { font-size: clamp(1.25rem, 5vh, 2rem); margin: 0; }
.page-display .hint { color: #c9d3df; font-size: clamp(0.9rem, 3vh, 1.1rem); margin: 0.5vh 0; }
.page-display .lead { font-size: clamp(1rem, 4vh, 1.5rem); margin: 0.5vh 0; }
.page-display .amount { margin: 0.5vh 0; }
.page-display .amount.big { font-size: clamp(1.75rem, min(11vh, 11vw), 4.5rem); line-height: 1.1; white-space: nowrap; }
.page-display .qr svg { width: min(22rem, 45vh, 80vw); height: auto; max-width: none; border-radius: 12px; margin: 1vh auto; }
.page-display .outcome { font-size: clamp(2rem, 12vh, 4rem); font-weight: 800; margin: 2vh 0; }
.page-display [data-state="paid"] .outcome { color: #8ff0a4; }
.page-display [data-state="declined"] .outcome, .page-display [data-state="failed"] .outcome,
.page-display [data-state="cancelled"] .outcome, .page-display [data-state="expired"] .outcome { color: #ffb4ab; }
.page-display .connection { color: #3d2a00; }
/* a landscape screen: amount beside the QR code */
@media (orientation: landscape) and (min-width: 40rem) {
  .page-display #screen-active { display: grid; grid-template-columns: 1fr auto; grid-template-areas: "lead qr" "amount qr" "scan qr" "code qr" "progress qr"; align-items: center; column-gap: 2rem; }
  .page-display #screen-active > :nth-child(1) { grid-area: lead; align-self: end; }
  .page-display #screen-active > :nth-child(2) { grid-area: amount; }
  .page-display #screen-active > :nth-child(3) { grid-area: qr; }
  .page-display #screen-active > :nth-child(4) { grid-area: scan; }
  .page-display #screen-active > :nth-child(5) { grid-area: code; align-self: start; }
  .page-display #screen-active > :nth-child(6) { grid-area: progress; align-self: start; }
  .page-display .qr svg { width: min(24rem, 62vh, 45vw); }
  .page-display .amount.big { font-size: clamp(1.75rem, min(11vh, 5.5vw), 4.5rem); }
}

@media (min-width: 40rem) {
  main { padding: 2rem 1rem; }
  .figures { grid-template-columns: 1fr; }
}
@media (prefers-reduced-motion: no-preference) {
  .status { transition: background-color 0.2s ease; }
}
`;
