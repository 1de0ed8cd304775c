// The stylesheet of index.html, inlined into the page so it opens from a file with no network.
// System fonts, tabular figures for every number, one accent colour; the styles' own colours come
// from format.ts and appear only as swatches, bars and column rules.
import { FONT } from './charts/render.js';

export const PAGE_CSS = `
:root {
  --fg: #1f2328; --muted: #59636e; --faint: #8c959f; --line: #d1d9e0; --soft: #f6f8fa;
  --accent: #0969da; --good: #1a7f37; --bad: #cf222e; --warn: #9a6700;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { scroll-padding-top: 3.2rem; }
body { margin: 0; font: 15px/1.5 ${FONT}; color: var(--fg); background: #fff; font-variant-numeric: tabular-nums; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre { font-family: var(--mono); font-size: 12.5px; }
h1 { font-size: 28px; line-height: 1.2; margin: 0 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 21px; margin: 0 0 4px; letter-spacing: -0.005em; }
h3 { font-size: 16px; margin: 22px 0 8px; }
p { margin: 6px 0 10px; }
.lede { color: var(--muted); font-size: 16px; max-width: 60em; }
.note { color: var(--muted); font-size: 13.5px; max-width: 72em; }
.absent { color: var(--muted); font-style: italic; padding: 10px 14px; background: var(--soft); border-radius: 6px; display: inline-block; }
.dim { color: var(--faint); }

nav.toc { position: sticky; top: 0; z-index: 10; background: rgba(255,255,255,0.96); border-bottom: 1px solid var(--line); }
nav.toc ul { list-style: none; margin: 0 auto; padding: 8px 24px; display: flex; flex-wrap: wrap; gap: 4px 18px; max-width: 1320px; font-size: 13.5px; }
nav.toc li:first-child a { font-weight: 700; color: var(--fg); }

main { padding: 0 24px 60px; }
section.part { max-width: 1320px; margin: 0 auto; padding: 34px 0 8px; border-top: 1px solid var(--line); }
section.part:first-child { border-top: 0; padding-top: 28px; }
section.part > .why { color: var(--muted); margin-top: 0; max-width: 72em; }

.facts-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 0 24px; margin: 18px 0 8px; padding: 14px 18px; background: var(--soft); border: 1px solid var(--line); border-radius: 8px; }
.facts-grid div { padding: 5px 0; border-bottom: 1px dashed #e1e6eb; }
.facts-grid dt { font-size: 11.5px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); }
.facts-grid dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.facts-grid dd code { font-weight: 400; }
.glance { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 12px; margin: 16px 0 6px; }
.glance .card { border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px; padding: 10px 14px; }
.glance .k { display: block; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
.glance .v { display: block; font-size: 19px; font-weight: 700; }
.glance .v.open { color: var(--muted); font-weight: 600; }
.glance .t { margin: 6px 0; font-size: 14px; }
.glance .s { margin: 4px 0 0; font-size: 12.5px; color: var(--muted); }
dl.config { display: grid; grid-template-columns: max-content minmax(0, 1fr) max-content minmax(0, 1fr); gap: 3px 14px; margin: 6px 0 12px; font-size: 12.5px; }
dl.config dt { color: var(--muted); font-family: var(--mono); font-size: 12px; }
dl.config dd { margin: 0; font-family: var(--mono); font-size: 12px; overflow-wrap: anywhere; }
.banner { margin: 14px 0; padding: 10px 14px; border: 1px solid #ffb1b1; background: #fff1f0; border-radius: 6px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 13px; margin: 10px 0; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }

figure.chart { margin: 14px 0 22px; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figure.chart figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; max-width: 72em; }
figure.chart figcaption b { color: var(--fg); }

.table-scroll { overflow-x: auto; margin: 8px 0 18px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 5px 9px; border-bottom: 1px solid #e6eaef; text-align: right; white-space: nowrap; }
thead th { position: sticky; top: 0; background: #fff; border-bottom: 2px solid var(--line); font-weight: 600; text-align: center; vertical-align: bottom; }
tbody th, tfoot th { text-align: left; font-weight: 500; }
tfoot th, tfoot td { border-top: 2px solid var(--line); }
table.factors td { min-width: 7.5em; line-height: 1.3; }
table.factors td .v { font-weight: 600; }
table.factors td .f { font-size: 11.5px; margin-left: 6px; color: #333; }
table.factors td .ci, table.factors td .x { display: block; font-size: 10.5px; color: var(--muted); }
table.factors td.best .f::before { content: "★ "; color: var(--good); }
table.factors td.ref { background: repeating-linear-gradient(135deg, #fafbfc, #fafbfc 6px, #f1f3f5 6px, #f1f3f5 12px); color: #444; }
table.factors th.rowh { min-width: 15em; max-width: 22em; white-space: normal; }
table.factors th.rowh .dir { display: block; font-size: 11px; color: var(--muted); font-weight: 400; }
details.ratios { margin: -8px 0 18px; }
details.ratios summary { cursor: pointer; color: var(--accent); font-size: 13px; }
td.missing { color: var(--faint); text-align: center; }
.scale { display: inline-flex; align-items: center; gap: 6px; font-size: 12px; color: var(--muted); }
.scale i { display: inline-block; width: 120px; height: 10px; border-radius: 2px; }

.sbs { margin: 10px 0 34px; }
.sbs .sbs-toggles { display: inline; font-size: 13px; color: var(--muted); margin-right: 6px; }
.sbs input.sbs-toggle { margin: 0 3px 0 10px; vertical-align: -2px; }
.sbs input.sbs-toggle + label { font-size: 13px; cursor: pointer; }
.sbs-scroll { overflow-x: auto; margin-top: 10px; border: 1px solid var(--line); border-radius: 8px; }
table.sbs-table { border-collapse: separate; border-spacing: 0; width: 100%; table-layout: auto; }
table.sbs-table thead th { text-align: left; border-top: 4px solid #999; border-bottom: 1px solid var(--line); padding: 8px 10px; background: #fff; min-width: 30em; white-space: normal; }
.sbs-style { display: block; font-size: 15px; font-weight: 700; }
.sbs-metrics { display: block; font-size: 11.5px; color: var(--muted); font-weight: 400; }
table.sbs-table thead th code { display: block; font-size: 11.5px; color: var(--muted); font-weight: 400; }
tr.sbs-step th { text-align: left; background: var(--soft); border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); padding: 6px 10px; font-family: var(--mono); font-size: 13px; font-weight: 600; position: sticky; left: 0; }
.step-no { display: inline-block; min-width: 1.6em; height: 1.6em; line-height: 1.6em; border-radius: 50%; background: var(--fg); color: #fff; text-align: center; font-size: 11px; margin-right: 8px; font-family: ${FONT}; }
tr.sbs-code td { vertical-align: top; text-align: left; padding: 0; border-bottom: 0; border-right: 1px solid #eef1f4; white-space: normal; min-width: 30em; }
tr.sbs-code td.missing { padding: 10px; font-style: italic; font-size: 13px; }
details.preamble summary { cursor: pointer; padding: 6px 10px; font-size: 12.5px; color: var(--accent); }
.code { font-family: var(--mono); font-size: 12px; line-height: 1.5; padding: 6px 0; }
.code .l { display: flex; }
.code .ln { flex: 0 0 3.4em; padding-right: 0.9em; text-align: right; color: #b0b8c1; user-select: none; }
.code .lc { flex: 1 1 auto; white-space: pre-wrap; overflow-wrap: anywhere; padding-right: 10px; min-height: 1.5em; }

table.matrix td { text-align: center; }
table.matrix td a { font-weight: 700; color: var(--fg); margin-right: 4px; }
table.matrix th .expected, #runtimes th .expected { display: block; font-size: 11px; color: var(--muted); font-weight: 400; }
.note-small { display: block; font-size: 10.5px; color: var(--bad); }
table.matrix td .outcome { margin-left: 4px; }
.best-mark { font-size: 10.5px; color: var(--good); font-weight: 700; text-transform: uppercase; }
.outcome { display: inline-block; font-size: 10.5px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.03em; padding: 1px 6px; border-radius: 10px; vertical-align: 1px; }
.outcome-rejected { background: #dafbe1; color: #116329; }
.outcome-crashed { background: #ffd8d3; color: #a40e26; }
.outcome-unhandled { background: #fff1c2; color: #7d4e00; }
.outcome-swallowed { background: #fbe0ff; color: #8250df; }
.outcome-hung { background: #e6e6e6; color: #444; }
ul.rubric-text { margin: 4px 0 10px; padding-left: 20px; font-size: 13px; color: var(--muted); max-width: 72em; }
ul.rubric-text b { color: var(--fg); }
.tb-case .path { font-family: var(--mono); font-size: 12px; color: var(--muted); }
.rubric { display: flex; flex-wrap: wrap; gap: 6px; font-size: 12.5px; margin: 6px 0 12px; }
.rubric span { border: 1px solid var(--line); border-radius: 12px; padding: 1px 9px; }
.tb-case { margin: 26px 0 10px; }
.tb-case h3 .expected { font-weight: 400; color: var(--muted); font-size: 13.5px; margin-left: 6px; }
.tb-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(400px, 1fr)); gap: 12px; }
.tb-card { border: 1px solid var(--line); border-top: 4px solid #999; border-radius: 8px; padding: 10px 12px; min-width: 0; }
.tb-card header { display: flex; align-items: center; gap: 8px; }
.tb-style { font-weight: 700; font-size: 15px; }
.tb-score { margin-left: auto; font-weight: 700; padding: 1px 8px; border-radius: 6px; }
dl.facts { display: grid; grid-template-columns: auto 1fr; gap: 1px 10px; font-size: 12.5px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.yes { color: var(--good); }
.no { color: var(--bad); }
.own-count { font-size: 12px; color: var(--muted); margin: 4px 0; }
pre.trace { margin: 0; padding: 8px 10px; background: #fbfbfc; border: 1px solid #eef1f4; border-radius: 6px; font-size: 11.5px; line-height: 1.45; max-height: 26em; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.trace .tl { display: block; padding-left: 3.5em; text-indent: -3.5em; }
pre.trace strong.tl { font-weight: 700; color: var(--fg); }
pre.trace mark.own { background: #fff3b0; color: #3d2e00; font-weight: 600; border-radius: 2px; }
pre.trace .noise { color: #9aa3ad; }
pre.trace .cause { color: #8250df; font-weight: 600; }

.rt-regression { color: var(--bad) !important; font-weight: 600; }
.rt-improvement { color: var(--good) !important; font-weight: 600; }
ul.frames { margin: 6px 0; padding-left: 0; list-style: none; font-family: var(--mono); font-size: 11.5px; }
details.rt-change { margin: 8px 0; }
details.rt-change summary { cursor: pointer; font-weight: 600; }
.failure { border: 1px solid #ffb1b1; border-radius: 8px; padding: 10px 14px; margin: 10px 0; background: #fffafa; }
.failure pre { white-space: pre-wrap; max-height: 14em; overflow: auto; background: #fff; border: 1px solid #f3d4d4; padding: 8px; border-radius: 4px; }
footer { max-width: 1320px; margin: 0 auto; padding: 20px 0 0; color: var(--muted); font-size: 12.5px; border-top: 1px solid var(--line); }
`;
