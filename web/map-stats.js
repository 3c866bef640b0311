// The statistics of the filters: a table with one row per territory (one
// level below the finest territory chosen) and every numeric column the
// API's `/statistics` rows carry, so columns the API adds appear without a
// change here; a link to the same table as CSV; and the choropleth's legend.

import { api } from './api.js';
import { t } from './i18n.js';
import { el } from './map-panels.js';

/** The choropleth's classes: lower bounds and colours (map-layers.js draws them). */
export const CLASSES = [[0, '#f7f7f7'], [1, '#fee8c8'], [5, '#fdbb84'], [20, '#fc8d59'], [50, '#e34a33'], [200, '#b30000']];

/** The level of the rows for filters `f`: one below the finest chosen. */
function groupBy(f) {
  return f.parish || f.municipality ? 'parish' : f.state ? 'municipality' : 'state';
}

/** The `/statistics` query of the filters' query `q`. */
export function statisticsQuery(q, filters) {
  return `${q}${q ? '&' : ''}group_by=${groupBy(filters)}`;
}

/** Fills the statistics section for the filters' query `q`. */
export async function loadStatistics(q, filters) {
  const query = statisticsQuery(q, filters);
  const table = await api(`/statistics?${query}`);
  const link = document.getElementById('stats-csv');
  link.href = `/statistics?${query}&f=csv`;
  link.setAttribute('download', `estadisticas-${table.group_by}.csv`);
  const numeric = table.columns.filter((c) => table.rows.some((r) => typeof r[c] === 'number'));
  const shown = ['code', 'name', ...numeric];
  const label = (c) => t('columns')[c] || c;
  const cell = (value) => (value === null || value === undefined ? '—'
    : typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(2) : String(value));
  document.getElementById('stats-table').replaceChildren(
    el('caption', {}, t('statsCaption', t('levels')[table.group_by])),
    el('thead', {}, el('tr', {}, shown.map((c) => el('th', { scope: 'col', dataset: { column: c } }, label(c))))),
    el('tbody', {}, table.rows.map((row) => el('tr', { dataset: { code: row.code } },
      shown.map((c) => (c === 'name' ? el('th', { scope: 'row' }, cell(row[c])) : el('td', {}, cell(row[c]))))))));
  document.getElementById('stats').dataset.query = query;
}

/** The legend of the choropleth: what the colours count, and the classes. */
export function legend() {
  const box = document.getElementById('legend');
  box.replaceChildren(
    el('p', { class: 'legend-title' }, t('legendTitle')),
    el('ul', {}, CLASSES.map(([from, colour], i) => {
      const next = CLASSES[i + 1];
      const range = next ? (next[0] - 1 === from ? `${from}` : `${from}–${next[0] - 1}`) : `≥ ${from}`;
      return el('li', {}, el('span', { class: `swatch swatch-${i}`, 'aria-hidden': 'true' }), range);
    })));
  // The swatches' colours come from the style sheet (no inline styles under CSP).
  box.dataset.classes = CLASSES.map(([from, colour]) => `${from}:${colour}`).join(' ');
}
