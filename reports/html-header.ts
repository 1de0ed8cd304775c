// The page's #header: the title and lede with the run's own count of styles, the headline cards,
// where the run ran and what it ran, and the colour of each style.
import { childEnvText, escapeHtml, formatBytes, formatDuration, loadClientText } from './format.js';
import { type Headline, headlineParts } from './headlines.js';
import type { ReportView } from './view.js';

export function header(view: ReportView): string {
  const { results, styles, references, colours } = view;
  const env = results.environment;
  const commit = env.commit === null ? 'not a git checkout' : `<code>${escapeHtml(env.commit.slice(0, 12))}</code>${env.dirty ? ' <span class="dim">(uncommitted changes)</span>' : ''}`;
  const where: [string, string][] = [
    ['Node / V8', `${escapeHtml(env.node)} / ${escapeHtml(env.v8)}`],
    ['CPU', `${escapeHtml(env.cpuModel)}`],
    ['Cores', `${env.cores} · ${env.pinned ? 'server and load pinned apart' : 'not pinned'}`],
    ['OS', `${escapeHtml(env.platform)} ${escapeHtml(env.osRelease ?? '')} (${escapeHtml(env.arch ?? '')})`],
    ['Memory', typeof env.totalMemoryBytes === 'number' ? formatBytes(env.totalMemoryBytes) : '–'],
    ['Commit', commit],
    ['When', `${escapeHtml(results.createdAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}`],
    ['Run took', formatDuration(results.durationMs)],
    ['Node flags', (env.nodeFlags ?? []).length === 0 ? 'none' : `<code>${escapeHtml((env.nodeFlags ?? []).join(' '))}</code>`],
    ['Child environment', env.childEnv === undefined ? 'not recorded' : `<code>${escapeHtml(childEnvText(env.childEnv))}</code>`],
  ];
  const client = loadClientText(results);
  if (client !== undefined) where.push(['Echo load client', escapeHtml(client)]);
  const config = view.config.map(([key, text]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(text)}</dd>`).join('');
  const legend = styles
    .map((style) => `<span><span class="swatch" style="background:${colours.get(style) ?? '#999'}"></span>${escapeHtml(style)}${references.has(style) ? ' <span class="dim">(reference)</span>' : ''}</span>`)
    .join('');
  const count = results.failures.length;
  const banner =
    count === 0
      ? ''
      : `<p class="banner"><strong>${count} measurement${count === 1 ? '' : 's'} failed.</strong> What ${count === 1 ? 'it' : 'they'} would have added is missing below, or rests on fewer samples: see <a href="#failures">Failures</a>.</p>`;
  return [
    '<section class="part" id="header">',
    `<h1>async-rosetta: ${escapeHtml(view.styleWords)}, measured</h1>`,
    `<p class="lede">The same two programs (the repos-and-forks GitHub workflow and a TCP echo server) written in ${escapeHtml(view.styleWords)}, run on real sockets with the same I/O underneath, so the only difference between two rows is the control flow. Each figure is a median with its 95% confidence interval.</p>`,
    banner,
    glance(view.headlines),
    `<h3>Where it ran</h3><dl class="facts-grid">${where.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>`,
    config === '' ? '' : `<h3>What was run</h3><dl class="config">${config}</dl>`,
    `<div class="legend">${legend}</div>`,
    '</section>',
  ].join('\n');
}

/** The headlines as cards, one per question: the winner or what leads, what is known, how it was measured. */
function glance(headlines: readonly Headline[]): string {
  const cards = headlines.map((h) => {
    const [text = '', ...notes] = headlineParts(h);
    const lead = `<span class="v${h.winner === undefined ? ' open' : ''}">${escapeHtml(h.lead)}</span>`;
    return `<div class="card"><span class="k">${escapeHtml(h.key)}</span>${lead}<p class="t">${escapeHtml(text)}</p>${notes.map((note) => `<p class="s">${escapeHtml(note)}</p>`).join('')}</div>`;
  });
  return cards.length === 0 ? '' : `<div class="glance">${cards.join('')}</div>`;
}
