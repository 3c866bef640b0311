// What a signed-in user can do from a priority's card: a cabinet (or an
// admin) moves it along the workflow (approve with a plan, start, finish,
// reopen, reject) and annotates it; its council's spokesperson edits it
// while it is proposed (a merge patch, with the card's ETag as If-Match).
// Every error is the API's problem, shown next to the field it names.

import { api } from './api.js';
import { t } from './i18n.js';
import { el, hooks, reviewForm, say, session, showProblem } from './map-panels.js';

/** The moves a cabinet may offer from each status (the API decides). */
const MOVES = {
  approved: ['in_progress', 'rejected'],
  in_progress: ['done'],
  rejected: ['proposed'],
  done: ['proposed'],
  duplicate: ['proposed'],
};
/** The button's text of each move. */
const MOVE_LABELS = { in_progress: 'start', done: 'finish', proposed: 'reopen', rejected: 'reject' };
export const CATEGORIES = ['water', 'electricity', 'roads', 'health', 'education', 'security', 'housing',
  'environment', 'gas', 'transport', 'telecom', 'food', 'culture_sport', 'other'];

function reviewer() {
  return ['cabinet', 'admin'].includes(session.who?.role);
}

function errors(pointer) {
  return el('span', { class: 'field-error', dataset: { pointer }, role: 'alert' });
}

/** The parts of the card a signed-in user acts with (none for others). */
export function cardActions(feature, etag, reload) {
  const parts = [];
  const p = feature.properties;
  const done = async () => { await reload(); await hooks.refresh?.(); };
  if (reviewer()) {
    if (p.status === 'proposed') {
      parts.push(el('h3', {}, t('review')), reviewForm(feature, done, 'card'));
    } else if (MOVES[p.status]) {
      parts.push(el('h3', {}, t('workflow')), moveForm(feature, done));
    }
  }
  if (reviewer()) parts.push(noteForm(feature, done));
  const mine = session.who?.role === 'admin'
    || (session.who?.role === 'spokesperson' && session.who.scope === p.council);
  if (mine && p.status === 'proposed') parts.push(editForm(feature, etag, done));
  return parts;
}

function moveForm(feature, done) {
  const id = feature.id;
  const form = el('form', { class: 'moves', dataset: { id } },
    el('label', { for: `move-note-${id}` }, t('note')),
    el('input', { id: `move-note-${id}`, name: 'note', type: 'text' }),
    errors('/note'), errors('/status'),
    el('div', { class: 'row wrap' }, MOVES[feature.properties.status].map((to) =>
      el('button', { type: 'submit', name: MOVE_LABELS[to], value: to,
        class: to === 'rejected' ? 'secondary' : null }, t(MOVE_LABELS[to])))),
    el('p', { class: 'form-error error', role: 'alert' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(form);
    const body = { status: event.submitter?.value };
    const note = form.elements.note.value.trim();
    if (note) body.note = note;
    try {
      await api(`/collections/priorities/items/${encodeURIComponent(id)}/transitions`, { method: 'POST', body });
      say(t('moved', t('statuses')[body.status]));
      await done();
    } catch (e) {
      showProblem(form, e);
    }
  });
  return form;
}

function noteForm(feature, done) {
  const id = feature.id;
  const form = el('form', { class: 'annotate', dataset: { id } },
    el('label', { for: `annotate-${id}` }, t('annotate')),
    el('textarea', { id: `annotate-${id}`, name: 'note', required: true }),
    errors('/note'),
    el('button', { type: 'submit' }, t('addNote')),
    el('p', { class: 'form-error error', role: 'alert' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(form);
    try {
      await api(`/collections/priorities/items/${encodeURIComponent(id)}/notes`,
        { method: 'POST', body: { note: form.elements.note.value.trim() } });
      say(t('noted'));
      await done();
    } catch (e) {
      showProblem(form, e);
    }
  });
  return form;
}

function editForm(feature, etag, done) {
  const p = feature.properties;
  const id = feature.id;
  const field = (name, input) => [el('label', { for: `edit-${name}` }, t(name === 'title' ? 'titleField' : name)),
    input, errors(`/properties/${name}`)];
  const form = el('form', { class: 'edit', dataset: { id } },
    el('h3', {}, t('edit')),
    ...field('title', el('input', { id: 'edit-title', name: 'title', required: true, value: p.title })),
    ...field('description', el('textarea', { id: 'edit-description', name: 'description' }, p.description ?? '')),
    ...field('category', el('select', { id: 'edit-category', name: 'category' },
      CATEGORIES.map((c) => el('option', { value: c, selected: c === p.category }, t('categories')[c])))),
    el('button', { type: 'submit' }, t('save')),
    el('p', { class: 'form-error error', role: 'alert' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(form);
    const v = (n) => form.elements[n].value.trim();
    const properties = { title: v('title'), category: v('category'), description: v('description') || null };
    const headers = { 'Content-Type': 'application/merge-patch+json' };
    if (etag) headers['If-Match'] = etag;
    try {
      await api(`/collections/priorities/items/${encodeURIComponent(id)}`,
        { method: 'PATCH', headers, body: { properties } });
      say(t('saved'));
      await done();
    } catch (e) {
      showProblem(form, e);
    }
  });
  return form;
}

function clear(form) {
  for (const span of form.querySelectorAll('.field-error, .form-error')) span.textContent = '';
}

/**
 * The possible duplicates of a priority as a list of links that open their
 * cards, or null when there are none. `items` are the API's
 * `possible_duplicates` entries or the features of `/duplicates`; `mark`,
 * when given, makes each item's button that marks a duplicate of it.
 */
export function duplicateList(items, open, mark = null) {
  if (!items || !items.length) return null;
  return el('div', { class: 'duplicates' },
    el('h3', {}, t('possibleDuplicates')),
    el('ul', { class: 'list' }, items.map((d) => {
      const props = d.properties || d;
      const id = d.id ?? props.id;
      const metres = props.distance_m;
      const button = el('button', { type: 'button', class: 'link', dataset: { id } }, props.title ?? id);
      button.addEventListener('click', () => open(id));
      return el('li', {}, button,
        el('span', { class: `badge status-${props.status}` }, t('statuses')[props.status] || props.status || ''),
        metres !== undefined && metres !== null ? el('span', { class: 'muted' }, ` ${Math.round(metres)} m`) : null,
        mark ? mark(id) : null);
    })));
}

/** The duplicates the API lists for `id` (empty where it has no such list). */
export async function fetchDuplicates(id) {
  try {
    const page = await api(`/collections/priorities/items/${encodeURIComponent(id)}/duplicates`);
    return page?.features || [];
  } catch {
    return [];
  }
}
