// The map application: filters, the list of matching priorities, the map,
// the session, and what each role is offered. The view and the filters
// live in the URL's fragment (#map=zoom/lat/lon&state=…&lang=…), so a link
// shares them.

import { api, setToken, token, whoAmI } from './api.js';
import { setLang, t, translatePage, lang } from './i18n.js';
import { el, hooks, openCard, reviewForm, say, session } from './map-panels.js';
import { CATEGORIES, duplicateList } from './map-actions.js';
import { drawingLayers, onProposeClick, proposeForm } from './map-propose.js';
import { loadAgenda } from './map-agenda.js';
import { legend, loadStatistics } from './map-stats.js';

const FILTERS = ['state', 'municipality', 'parish', 'category', 'status', 'placement', 'overdue', 'from', 'to'];
const STATUSES = ['proposed', 'approved', 'in_progress', 'done', 'rejected', 'duplicate'];
const PLACEMENTS = ['by_council', 'inside_council_parish', 'outside_council_parish', 'outside_every_parish'];
const LIST_LIMIT = 50;

const state = { filters: {}, view: null, map: null, layers: null, who: null, pick: null };

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  for (const name of FILTERS) if (params.get(name)) state.filters[name] = params.get(name);
  const view = (params.get('map') || '').split('/').map(Number);
  if (view.length === 3 && view.every(Number.isFinite)) state.view = view;
  setLang(params.get('lang') || 'es');
}

function writeHash() {
  const params = new URLSearchParams();
  if (state.map) {
    const c = state.map.getCenter();
    params.set('map', `${state.map.getZoom().toFixed(2)}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`);
  } else if (state.view) params.set('map', state.view.join('/'));
  for (const name of FILTERS) if (state.filters[name]) params.set(name, state.filters[name]);
  if (lang !== 'es') params.set('lang', lang);
  history.replaceState(null, '', `#${params}`);
}

/** The API query of the filters (the finest territory chosen). */
export function query() {
  const f = state.filters;
  const q = new URLSearchParams();
  const territory = f.parish ? ['parish', f.parish] : f.municipality ? ['municipality', f.municipality]
    : f.state ? ['state', f.state] : null;
  if (territory) q.set(...territory);
  for (const name of ['category', 'status', 'placement']) if (f[name]) q.set(name, f[name]);
  if (f.overdue) q.set('overdue', 'true');
  if (f.from || f.to) q.set('datetime', `${f.from || '..'}/${f.to || '..'}`);
  return q.toString();
}

function options(select, entries, chosen) {
  select.replaceChildren(el('option', { value: '' }, t('any')),
    ...entries.map(([value, label]) => el('option', { value, selected: value === chosen }, label)));
}

async function territoryOptions(select, collection, parent) {
  if (parent === null) { options(select, [], ''); select.disabled = true; return; }
  const filter = parent ? `&${parent}` : '';
  const page = await api(`/collections/${collection}/items?limit=10000&zoom=0&properties=code,name${filter}`);
  const entries = page.features.map((f) => [f.properties.code ?? f.id, `${f.properties.name} (${f.properties.code ?? f.id})`]);
  select.disabled = false;
  options(select, entries, state.filters[select.name]);
}

async function fillTerritories() {
  const f = state.filters;
  const form = document.getElementById('filters');
  await territoryOptions(form.elements.state, 'states', '');
  await territoryOptions(form.elements.municipality, 'municipalities', f.state ? `state=${f.state}` : null);
  await territoryOptions(form.elements.parish, 'parishes', f.municipality ? `municipality=${f.municipality}` : null);
}

function fillFixedLists() {
  const form = document.getElementById('filters');
  options(form.elements.category, CATEGORIES.map((c) => [c, t('categories')[c]]), state.filters.category);
  options(form.elements.status, STATUSES.map((s) => [s, t('statuses')[s]]), state.filters.status);
  options(form.elements.placement, PLACEMENTS.map((p) => [p, t('placements')[p]]), state.filters.placement);
  form.elements.overdue.checked = Boolean(state.filters.overdue);
  form.elements.from.value = state.filters.from || '';
  form.elements.to.value = state.filters.to || '';
}

async function listResults() {
  const q = query();
  const page = await api(`/collections/priorities/items?${q}${q ? '&' : ''}limit=${LIST_LIMIT}`);
  document.getElementById('count').textContent =
    `${t('results', page.numberMatched)} ${page.numberMatched > page.numberReturned ? t('shown', page.numberReturned) : ''}`;
  document.getElementById('result-list').replaceChildren(...page.features.map((f) => el('li', {},
    el('button', { type: 'button', class: 'link', dataset: { id: f.id } }, f.properties.title),
    el('span', { class: `badge status-${f.properties.status}` }, t('statuses')[f.properties.status]),
    el('span', { class: 'muted' }, ` ${t('categories')[f.properties.category]}`))));
}

async function refresh() {
  writeHash();
  try {
    await listResults();
    if (state.map && state.layers) state.layers.refilter(state.map, query());
    if (state.who && ['cabinet', 'admin'].includes(state.who.role)) await loadQueue();
    if (state.who?.role === 'spokesperson') await loadAgenda();
    await loadStatistics(query(), state.filters);
  } catch (e) {
    say(e.message, true);
  }
}

function bindFilters() {
  const form = document.getElementById('filters');
  form.addEventListener('change', async (event) => {
    const name = event.target.name;
    if (name === 'state' || name === 'municipality') {
      state.filters[name] = event.target.value;
      if (name === 'state') { delete state.filters.municipality; }
      delete state.filters.parish;
      await fillTerritories().catch((e) => say(e.message, true));
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const e = form.elements;
    state.filters = {};
    for (const name of ['state', 'municipality', 'parish', 'category', 'status', 'placement', 'from', 'to']) {
      if (e[name].value) state.filters[name] = e[name].value;
    }
    if (e.overdue.checked) state.filters.overdue = 'true';
    say('');
    refresh();
    zoomToTerritory().catch((error) => say(error.message, true));
  });
  form.addEventListener('reset', () => {
    state.filters = {};
    setTimeout(async () => { fillFixedLists(); await fillTerritories(); refresh(); });
  });
  document.getElementById('result-list').addEventListener('click', (event) => {
    const id = event.target.closest('button')?.dataset.id;
    if (id) openCard(id);
  });
}

const COLLECTIONS = { parish: 'parishes', municipality: 'municipalities', state: 'states' };

/** Fits the map to the finest territory the filters choose, if any. */
async function zoomToTerritory() {
  const level = ['parish', 'municipality', 'state'].find((name) => state.filters[name]);
  if (!level || !state.map) return;
  const code = encodeURIComponent(state.filters[level]);
  const territory = await api(`/collections/${COLLECTIONS[level]}/items/${code}`);
  let box = null;
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      box = box ? [[Math.min(box[0][0], c[0]), Math.min(box[0][1], c[1])],
        [Math.max(box[1][0], c[0]), Math.max(box[1][1], c[1])]] : [[c[0], c[1]], [c[0], c[1]]];
    } else c.forEach(visit);
  };
  if (territory.geometry) visit(territory.geometry.coordinates);
  if (box) state.map.fitBounds(box, { padding: 24, maxZoom: 15, duration: 0 });
}

async function loadQueue() {
  const order = document.getElementById('queue-order').value;
  const page = await api(`/review-queue?limit=50&order=${order}`);
  const list = document.getElementById('queue-list');
  list.replaceChildren(...page.features.map((f) => el('li', { dataset: { id: f.id } },
    el('details', {},
      el('summary', {}, `${f.properties.title} · ${f.properties.parish ?? ''}`
        + (f.properties.rank ? ` · #${f.properties.rank}` : '') + ` · ${(f.properties.created_at || '').slice(0, 10)}`),
      duplicateList(f.possible_duplicates || f.properties.possible_duplicates, openCard),
      el('button', { type: 'button', class: 'link open-card', dataset: { id: f.id } }, t('openCard')),
      reviewForm(f, refresh)))));
  if (!page.features.length) list.replaceChildren(el('li', {}, t('queueEmpty')));
}

async function signedIn() {
  const who = document.getElementById('who');
  document.getElementById('queue').hidden = true;
  document.getElementById('propose').hidden = true;
  document.getElementById('agenda').hidden = true;
  state.who = null;
  if (token()) {
    try {
      state.who = await whoAmI();
    } catch (e) {
      setToken(null);
      say(e.message, true);
    }
  }
  session.who = state.who;
  document.getElementById('stats').open = state.who?.role === 'planner';
  document.getElementById('signin').hidden = Boolean(state.who);
  document.getElementById('signout').hidden = !state.who;
  who.textContent = state.who ? t('signedAs', state.who.role, state.who.scope) : t('anonymous');
  if (!state.who) return;
  if (['cabinet', 'admin'].includes(state.who.role)) {
    document.getElementById('queue').hidden = false;
    await loadQueue().catch((e) => say(e.message, true));
  }
  if (state.who.role === 'spokesperson') {
    document.getElementById('propose').hidden = false;
    document.getElementById('agenda').hidden = false;
    proposeForm();
    await loadAgenda().catch((e) => say(e.message, true));
  }
}

function bindQueue() {
  document.getElementById('queue-order').addEventListener('change', () => loadQueue().catch((e) => say(e.message, true)));
  document.getElementById('queue-list').addEventListener('click', (event) => {
    const button = event.target.closest('button.open-card');
    if (button) openCard(button.dataset.id);
  });
}

function bindSession() {
  document.getElementById('signin').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = document.getElementById('token');
    setToken(input.value.trim());
    input.value = '';
    say('');
    await signedIn();
  });
  document.getElementById('signout').addEventListener('click', () => { setToken(null); signedIn(); });
  const select = document.getElementById('lang');
  select.value = lang;
  select.addEventListener('change', () => { setLang(select.value); writeHash(); location.reload(); });
}

async function startMap() {
  let maplibregl;
  try {
    maplibregl = await import('/assets/maplibre/maplibre-gl.mjs');
  } catch {
    document.getElementById('map').replaceChildren(el('p', { class: 'missing', role: 'alert' }, t('mapMissing')));
    return;
  }
  state.layers = await import('/assets/map-layers.js');
  const [zoom, lat, lon] = state.view || [5, 7.5, -66.2];
  const basemap = document.body.dataset.basemap || null;
  const map = new maplibregl.Map({
    container: 'map', style: state.layers.style(query(), basemap), center: [lon, lat], zoom,
    attributionControl: basemap ? { compact: true } : false,
  });
  map.addControl(new maplibregl.NavigationControl(), 'top-right');
  state.map = map;
  map.on('moveend', writeHash);
  map.on('click', (event) => onMapClick(map, event));
  for (const layer of [...state.layers.PRIORITY_LAYERS, 'clusters']) {
    map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; });
  }
  let loaded = false;
  map.once('load', async () => {
    loaded = true;
    drawingLayers(map);
    // A link naming a territory but no view opens on that territory.
    if (!state.view) await zoomToTerritory().catch((e) => say(e.message, true));
    document.body.classList.add('map-ready');
  });
  // MapLibre fires 'load' from a render; should the map be loaded with no
  // render to come (seen in headless Chromium on a loaded machine), one is
  // asked for.
  const nudge = setInterval(() => {
    if (loaded) clearInterval(nudge);
    else if (map.loaded()) map.triggerRepaint();
  }, 1000);
  window.prioridadesMap = map;
}

function onMapClick(map, event) {
  if (state.who?.role === 'spokesperson') {
    onProposeClick(event.lngLat);
    return;
  }
  const hit = map.queryRenderedFeatures(event.point, { layers: [...state.layers.PRIORITY_LAYERS, 'clusters'] })[0];
  if (!hit) return;
  if (hit.properties.cluster === true || hit.properties.cluster === 'true') {
    map.easeTo({ center: event.lngLat, zoom: map.getZoom() + 2 });
  } else if (hit.properties.id) {
    openCard(hit.properties.id);
  }
}

async function main() {
  readHash();
  translatePage();
  bindSession();
  bindFilters();
  bindQueue();
  legend();
  hooks.refresh = refresh;
  fillFixedLists();
  startMap();
  await fillTerritories().catch((e) => say(e.message, true));
  await signedIn();
  await refresh();
  document.body.classList.add('ready');
}

main();
