// The side panel's parts that show one priority or act on it: the card
// (properties, plan, history), the review queue with the approval form,
// and the proposal form. Every text from the API is put in the page as
// text (textContent), never as markup.

import { api, apiTagged, Problem } from './api.js';
import { t } from './i18n.js';
import { cardActions, duplicateList, fetchDuplicates } from './map-actions.js';
import { canMark, fetchMarked, markButton, markedList } from './map-duplicates.js';
import { placeSection } from './map-card.js';

/** Who is signed in (`/tokens/self`), set by map.js; null when no one. */
export const session = { who: null };
/** What the page does after a change: `refresh` reloads lists and map. */
export const hooks = { refresh: null };

/** An element with attributes and children (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Shows `text` in the panel's message line (an error when `error`). */
export function say(text, error = false) {
  const message = document.getElementById('message');
  message.textContent = text;
  message.classList.toggle('error', error);
  message.hidden = !text;
}

function row(label, value) {
  return [el('dt', {}, label), el('dd', {}, value ?? '—')];
}

/** Opens the card of priority `id`: its properties, place (map-card.js), plan and history. */
export async function openCard(id) {
  const card = document.getElementById('card');
  card.hidden = false;
  card.dataset.id = id;
  card.replaceChildren(el('p', {}, t('loading')));
  try {
    const [{ body: feature, etag }, history, duplicates, marked] = await Promise.all([
      apiTagged(`/collections/priorities/items/${encodeURIComponent(id)}`),
      // no-store: a note adds to the history without a new change number,
      // so the history's tag stays and a revalidation would answer 304.
      api(`/collections/priorities/items/${encodeURIComponent(id)}/history`, { cache: 'no-store' }),
      fetchDuplicates(id),
      fetchMarked(id),
    ]);
    const place = await placeSection(feature, openCard);
    if (card.dataset.id !== id) return; // another card was opened meanwhile
    const mark = canMark(feature) ? (original) => markButton(feature, original, () => openCard(id)) : null;
    renderCard(card, feature, history, { duplicates, marked, mark }, place);
    card.append(...cardActions(feature, etag, () => openCard(id)));
    card.dataset.status = feature.properties.status;
  } catch (e) {
    card.replaceChildren(el('p', { class: 'error' }, e.message));
  }
}

function renderCard(card, feature, history, { duplicates, marked, mark }, place) {
  const p = feature.properties;
  const plan = p.plan;
  const entries = history.entries || history.history || history.features || [];
  card.replaceChildren(
    el('div', { class: 'card-head' },
      el('h2', { id: 'card-title' }, p.title),
      el('button', { type: 'button', id: 'card-close' }, t('close'))),
    el('p', { class: 'description' }, p.description ?? ''),
    el('dl', { class: 'props' },
      row(t('category'), t('categories')[p.category] || p.category),
      row(t('status'), t('statuses')[p.status] || p.status),
      row(t('council'), p.council),
      row(t('parish'), p.parish),
      row(t('placement'), t('placements')[p.placement] || p.placement),
      row(t('families'), p.families),
      row('id', feature.id)),
    ...place,
    p.duplicate_of ? el('p', {}, `${t('duplicateOf')}: `, duplicateLink(p.duplicate_of)) : '',
    markedList(marked, openCard) || '',
    duplicateList(duplicates, openCard, mark) || '',
    el('h3', {}, t('plan')),
    plan ? el('dl', { class: 'props' },
      row(t('objective'), plan.objective), row(t('goal'), plan.goal),
      row(t('responsibleName'), `${plan.responsible.name} (${t('kinds')[plan.responsible.kind] || plan.responsible.kind})`),
      row(t('resources'), plan.resources),
      row(t('startDate'), plan.start_date), row(t('targetDate'), plan.target_date))
      : el('p', {}, t('noPlan')),
    el('h3', {}, t('history')),
    el('ol', { class: 'history' }, entries.map((entry) => el('li', {},
      `${entry.at || entry.time || ''} · ${entry.action} · ${entry.actor}`,
      entry.changes?.status ? ` → ${t('statuses')[entry.changes.status.to] || entry.changes.status.to} ` : '',
      entry.note ? el('q', {}, entry.note) : null))),
  );
  card.querySelector('#card-close').addEventListener('click', () => { card.hidden = true; });
  card.focus();
}

function duplicateLink(id) {
  const button = el('button', { type: 'button', class: 'link', dataset: { id } }, id);
  button.addEventListener('click', () => openCard(id));
  return button;
}

const PLAN_FIELDS = [
  ['objective', 'text'], ['goal', 'text'], ['responsible/kind', 'kind'],
  ['responsible/name', 'text'], ['resources', 'text'], ['start_date', 'date'], ['target_date', 'date'],
];
const PLAN_LABELS = {
  objective: 'objective', goal: 'goal', 'responsible/kind': 'responsibleKind',
  'responsible/name': 'responsibleName', resources: 'resources', start_date: 'startDate',
  target_date: 'targetDate',
};

/** The approval form of `feature`: the action plan, then approve or reject. */
export function reviewForm(feature, done, prefix = 'plan') {
  const form = el('form', { class: 'review', dataset: { id: feature.id } });
  for (const [name, kind] of PLAN_FIELDS) {
    const id = `${prefix}-${feature.id}-${name.replace('/', '-')}`;
    const input = kind === 'kind'
      ? el('select', { id, name }, Object.entries(t('kinds')).map(([k, label]) => el('option', { value: k }, label)))
      : el('input', { id, name, type: kind === 'date' ? 'date' : 'text' });
    form.append(el('label', { for: id }, t(PLAN_LABELS[name])), input,
      el('span', { class: 'field-error', dataset: { pointer: `/plan/${name}` }, role: 'alert' }));
  }
  const noteId = `${prefix}-note-${feature.id}`;
  form.append(el('label', { for: noteId }, t('note')), el('input', { id: noteId, name: 'note', type: 'text' }),
    el('span', { class: 'field-error', dataset: { pointer: '/note' }, role: 'alert' }),
    el('span', { class: 'field-error', dataset: { pointer: '/plan' }, role: 'alert' }),
    el('div', { class: 'row' },
      el('button', { type: 'submit', name: 'approve', value: 'approved' }, t('approve')),
      el('button', { type: 'submit', name: 'reject', value: 'rejected', class: 'secondary' }, t('reject'))),
    el('p', { class: 'form-error error', role: 'alert' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = event.submitter?.value || 'approved';
    await transition(form, feature, status, done);
  });
  return form;
}

async function transition(form, feature, status, done) {
  for (const span of form.querySelectorAll('.field-error, .form-error')) span.textContent = '';
  const value = (name) => form.elements[name].value.trim();
  const body = { status };
  if (value('note')) body.note = value('note');
  if (status === 'approved') {
    body.plan = {
      objective: value('objective'), goal: value('goal'),
      responsible: { kind: value('responsible/kind'), name: value('responsible/name') },
      resources: value('resources'), start_date: value('start_date'), target_date: value('target_date'),
    };
  }
  try {
    await api(`/collections/priorities/items/${encodeURIComponent(feature.id)}/transitions`,
      { method: 'POST', body });
    say(t(status));
    done();
  } catch (e) {
    showProblem(form, e);
  }
}

/** Shows a problem next to the field its pointer names, or under the form. */
export function showProblem(form, e) {
  const pointer = e instanceof Problem ? e.doc.pointer : undefined;
  const target = pointer !== undefined
    && form.querySelector(`.field-error[data-pointer="${CSS.escape(pointer)}"]`);
  (target || form.querySelector('.form-error')).textContent = e.message;
}
