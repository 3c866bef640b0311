// Marked duplicates on a priority's card: a cabinet (or an admin) marks the
// card's priority as the duplicate of one of its possible duplicates (a
// workflow move: POST …/transitions {status: 'duplicate', duplicate_of}),
// and an original lists the priorities marked its duplicates
// (`?duplicate_of=`). The API decides; its problem is shown on the card.

import { api } from './api.js';
import { t } from './i18n.js';
import { el, say, session } from './map-panels.js';

/** Whether the signed-in user may mark `feature` as a duplicate. */
export function canMark(feature) {
  return ['cabinet', 'admin'].includes(session.who?.role)
    && ['proposed', 'approved'].includes(feature.properties.status);
}

/** A button that marks `feature` as the duplicate of priority `original`. */
export function markButton(feature, original, done) {
  const button = el('button', { type: 'button', class: 'secondary mark-duplicate', dataset: { original } },
    t('markDuplicate'));
  button.addEventListener('click', async () => {
    try {
      await api(`/collections/priorities/items/${encodeURIComponent(feature.id)}/transitions`,
        { method: 'POST', body: { status: 'duplicate', duplicate_of: original } });
      say(t('markedDuplicate'));
      await done();
    } catch (e) {
      say(e.message, true);
    }
  });
  return button;
}

/** The priorities marked duplicates of `id` (empty when none or on error). */
export async function fetchMarked(id) {
  try {
    const page = await api(`/collections/priorities/items?duplicate_of=${encodeURIComponent(id)}&limit=100`);
    return page?.features || [];
  } catch {
    return [];
  }
}

/** The list of an original's marked duplicates, or null when it has none. */
export function markedList(items, open) {
  if (!items.length) return null;
  return el('div', { class: 'marked-duplicates' },
    el('h3', {}, t('markedDuplicates', items.length)),
    el('ul', { class: 'list' }, items.map((f) => {
      const button = el('button', { type: 'button', class: 'link', dataset: { id: f.id } }, f.properties.title);
      button.addEventListener('click', () => open(f.id));
      return el('li', {}, button, el('span', { class: 'muted' }, ` ${f.properties.council}`));
    })));
}
