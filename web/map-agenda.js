// A spokesperson's agenda: the council's open priorities in rank order.
// Dragging an entry (HTML5 drag and drop) or its up/down buttons (for the
// keyboard) reorders the list; each change is sent at once as the whole
// order (`PUT …/agenda` with `{"order": [id, …]}`, the first ten: an
// agenda ranks at most ten), one request at a time.

import { api } from './api.js';
import { t } from './i18n.js';
import { el, openCard, say, session } from './map-panels.js';

/** The most priorities an agenda ranks (the API's MAX_RANK); the rest stay unranked. */
const MAX_RANK = 10;
let saving = Promise.resolve();
let pending = 0;

function path() {
  return `/collections/councils/items/${encodeURIComponent(session.who.scope)}/agenda`;
}

/** Loads and shows the agenda of the signed-in spokesperson's council. */
export async function loadAgenda() {
  const page = await api(`${path()}?limit=100`);
  const list = document.getElementById('agenda-list');
  list.replaceChildren(...page.features.map(entry));
  if (!page.features.length) list.replaceChildren(el('li', {}, t('agendaEmpty')));
}

function entry(f) {
  const title = el('button', { type: 'button', class: 'link' }, f.properties.title);
  title.addEventListener('click', () => openCard(f.id));
  const up = el('button', { type: 'button', class: 'secondary small', 'aria-label': `${t('up')}: ${f.properties.title}` }, '↑');
  const down = el('button', { type: 'button', class: 'secondary small', 'aria-label': `${t('down')}: ${f.properties.title}` }, '↓');
  const li = el('li', { draggable: 'true', dataset: { id: f.id } }, el('span', { class: 'grip', 'aria-hidden': 'true' }, '⠿'),
    title, el('span', { class: `badge status-${f.properties.status}` }, t('statuses')[f.properties.status]), up, down);
  up.addEventListener('click', () => move(li, -1, up));
  down.addEventListener('click', () => move(li, 1, down));
  li.addEventListener('dragstart', (event) => {
    event.dataTransfer.setData('text/plain', f.id);
    event.dataTransfer.effectAllowed = 'move';
    li.classList.add('dragging');
  });
  li.addEventListener('dragend', () => li.classList.remove('dragging'));
  li.addEventListener('dragover', (event) => { event.preventDefault(); event.dataTransfer.dropEffect = 'move'; });
  li.addEventListener('drop', (event) => {
    event.preventDefault();
    const dragged = li.parentElement.querySelector(`li[data-id="${CSS.escape(event.dataTransfer.getData('text/plain'))}"]`);
    if (!dragged || dragged === li) return;
    const box = li.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    li.parentElement.insertBefore(dragged, after ? li.nextSibling : li);
    save();
  });
  return li;
}

function move(li, step, button) {
  const other = step < 0 ? li.previousElementSibling : li.nextElementSibling;
  if (!other) return;
  li.parentElement.insertBefore(li, step < 0 ? other : other.nextSibling);
  button.focus();
  save();
}

/** Sends the order shown, after any order still being sent. */
function save() {
  const list = document.getElementById('agenda-list');
  const order = [...list.querySelectorAll('li[data-id]')].map((li) => li.dataset.id).slice(0, MAX_RANK);
  list.setAttribute('aria-busy', 'true');
  pending += 1;
  saving = saving.then(async () => {
    try {
      await api(path(), { method: 'PUT', body: { order } });
      say(t('agendaSaved'));
    } catch (e) {
      say(e.message, true);
      await loadAgenda().catch(() => {});
    }
  }).finally(() => {
    pending -= 1;
    if (pending === 0) {
      list.dataset.saved = order.join(',');
      list.removeAttribute('aria-busy');
    }
  });
}
