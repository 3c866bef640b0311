// A spokesperson's proposal: a point (one click on the map, or typed
// coordinates), a line or a polygon (a click per vertex, then Finish; Cancel
// starts over). Before sending, the geometry is checked against the
// council's parish boundary: when some of it lies outside, the page says so
// and sends only if the spokesperson confirms. The API decides in the end
// (its `placement`); this check only spares a mistaken click.

import { api } from './api.js';
import { t } from './i18n.js';
import { CATEGORIES, duplicateList } from './map-actions.js';
import { el, hooks, openCard, say, session, showProblem } from './map-panels.js';

/** The drawing in progress: its kind and the vertices clicked (lon, lat). */
const drawing = { shape: 'point', vertices: [], finished: false, parish: null, map: null };

const SOURCE = 'drawing';

/** Adds the layers that show the drawing to `map` (after its style loads). */
export function drawingLayers(map) {
  drawing.map = map;
  map.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'drawing-fill', type: 'fill', source: SOURCE, filter: ['==', ['geometry-type'], 'Polygon'],
    paint: { 'fill-color': '#f0a500', 'fill-opacity': 0.3 } });
  map.addLayer({ id: 'drawing-line', type: 'line', source: SOURCE,
    paint: { 'line-color': '#a05a00', 'line-width': 2, 'line-dasharray': [2, 1] } });
  map.addLayer({ id: 'drawing-vertices', type: 'circle', source: SOURCE, filter: ['==', ['geometry-type'], 'Point'],
    paint: { 'circle-radius': 5, 'circle-color': '#f0a500', 'circle-stroke-color': '#1a1a1a', 'circle-stroke-width': 1 } });
}

/** The geometry drawn so far (null when there is not enough of it). */
export function geometry() {
  const v = drawing.vertices;
  if (drawing.shape === 'point') return v.length ? { type: 'Point', coordinates: v[0] } : null;
  if (drawing.shape === 'line') return v.length >= 2 ? { type: 'LineString', coordinates: v } : null;
  return v.length >= 3 ? { type: 'Polygon', coordinates: [[...v, v[0]]] } : null;
}

function redraw() {
  const form = document.getElementById('propose-form');
  const v = drawing.vertices;
  const shown = v.map((c) => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: c } }));
  const g = geometry();
  if (g && g.type !== 'Point') shown.push({ type: 'Feature', properties: {}, geometry: g });
  else if (drawing.shape !== 'point' && v.length === 2) {
    shown.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: v } });
  }
  drawing.map?.getSource(SOURCE)?.setData({ type: 'FeatureCollection', features: shown });
  if (!form) return;
  const status = form.querySelector('#p-vertices');
  if (status) status.textContent = t('vertices', v.length);
  if (drawing.shape === 'point' && v.length) {
    form.elements.lon.value = v[0][0].toFixed(6);
    form.elements.lat.value = v[0][1].toFixed(6);
  }
}

/** A click on the map at `lngLat` while a spokesperson proposes. */
export function onProposeClick(lngLat) {
  const vertex = [Number(lngLat.lng.toFixed(6)), Number(lngLat.lat.toFixed(6))];
  if (drawing.shape === 'point') drawing.vertices = [vertex];
  else if (!drawing.finished) drawing.vertices.push(vertex);
  redraw();
}

function resetDrawing() {
  drawing.vertices = [];
  drawing.finished = false;
  redraw();
}

/** Whether (lon, lat) lies in `ring` (a closed ring of [lon, lat]): ray casting. */
function inRing([x, y], ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether `point` lies in the (Multi)Polygon `area`, holes excluded. */
export function inArea(point, area) {
  const polygons = area.type === 'Polygon' ? [area.coordinates] : area.type === 'MultiPolygon' ? area.coordinates : [];
  return polygons.some(([outer, ...holes]) => inRing(point, outer) && !holes.some((h) => inRing(point, h)));
}

/** The vertices of `g` (a Point, LineString or Polygon). */
function verticesOf(g) {
  if (g.type === 'Point') return [g.coordinates];
  if (g.type === 'LineString') return g.coordinates;
  return g.coordinates.flat();
}

async function councilParish() {
  if (drawing.parish !== null) return drawing.parish;
  try {
    const council = await api(`/collections/councils/items/${encodeURIComponent(session.who.scope)}`);
    const code = council.properties.parish;
    const parish = await api(`/collections/parishes/items/${encodeURIComponent(code)}`);
    drawing.parish = parish.geometry || false;
  } catch {
    drawing.parish = false;
  }
  return drawing.parish;
}

/** Builds the proposal form of a signed-in spokesperson. */
export function proposeForm() {
  const form = document.getElementById('propose-form');
  drawing.parish = null;
  councilParish();
  const field = (name, label, input) => [el('label', { for: `p-${name}` }, t(label)), input,
    el('span', { class: 'field-error', dataset: { pointer: `/properties/${name}` }, role: 'alert' })];
  const shape = el('select', { id: 'p-shape', name: 'shape' },
    ['point', 'line', 'polygon'].map((s) => el('option', { value: s }, t('shapes')[s])));
  const vertexTools = el('div', { class: 'row wrap', id: 'p-draw-tools', hidden: true },
    el('span', { id: 'p-vertices', role: 'status' }),
    el('button', { type: 'button', id: 'p-finish', class: 'secondary' }, t('finishDrawing')),
    el('button', { type: 'button', id: 'p-cancel-draw', class: 'secondary' }, t('cancel')));
  const pointFields = el('div', { id: 'p-point' },
    el('label', { for: 'p-lon' }, 'lon'), el('input', { id: 'p-lon', name: 'lon', inputmode: 'decimal' }),
    el('label', { for: 'p-lat' }, 'lat'), el('input', { id: 'p-lat', name: 'lat', inputmode: 'decimal' }));
  form.replaceChildren(
    ...field('title', 'titleField', el('input', { id: 'p-title', name: 'title', required: true })),
    ...field('description', 'description', el('textarea', { id: 'p-description', name: 'description' })),
    ...field('category', 'category', el('select', { id: 'p-category', name: 'category' },
      CATEGORIES.map((c) => el('option', { value: c }, t('categories')[c])))),
    el('fieldset', {}, el('legend', {}, t('located')),
      el('label', { for: 'p-shape' }, t('shape')), shape, pointFields, vertexTools,
      el('span', { class: 'field-error', dataset: { pointer: '/geometry' }, role: 'alert' })),
    el('div', { id: 'p-warning', class: 'warning', role: 'alertdialog', 'aria-labelledby': 'p-warning-text', hidden: true },
      el('p', { id: 'p-warning-text' }, t('outsideParish')),
      el('div', { class: 'row' },
        el('button', { type: 'button', id: 'p-confirm' }, t('sendAnyway')),
        el('button', { type: 'button', id: 'p-cancel', class: 'secondary' }, t('cancel')))),
    el('button', { type: 'submit', id: 'p-send' }, t('send')),
    el('p', { class: 'form-error error', role: 'alert' }),
    el('div', { id: 'p-duplicates' }));
  shape.addEventListener('change', () => {
    drawing.shape = shape.value;
    pointFields.hidden = shape.value !== 'point';
    vertexTools.hidden = shape.value === 'point';
    resetDrawing();
  });
  form.querySelector('#p-finish').addEventListener('click', () => {
    if (geometry()) drawing.finished = true;
    else showProblem(form, new Error(t('tooFewVertices')));
  });
  form.querySelector('#p-cancel-draw').addEventListener('click', resetDrawing);
  form.querySelector('#p-cancel').addEventListener('click', () => {
    form.querySelector('#p-warning').hidden = true;
    say(t('notSent'));
  });
  form.querySelector('#p-confirm').addEventListener('click', () => {
    form.querySelector('#p-warning').hidden = true;
    send(form);
  });
  form.onsubmit = (event) => { event.preventDefault(); check(form); };
  drawing.shape = 'point';
  resetDrawing();
}

function typedGeometry(form) {
  if (drawing.shape !== 'point') return geometry();
  const lon = form.elements.lon.value.trim();
  const lat = form.elements.lat.value.trim();
  return lon && lat ? { type: 'Point', coordinates: [Number(lon), Number(lat)] } : null;
}

async function check(form) {
  for (const span of form.querySelectorAll('.field-error, .form-error')) span.textContent = '';
  const g = typedGeometry(form);
  if (!g) {
    form.querySelector('.field-error[data-pointer="/geometry"]').textContent = t('placeIt');
    return;
  }
  const parish = await councilParish();
  const outside = parish && verticesOf(g).some((v) => !inArea(v, parish));
  if (outside) {
    const warning = form.querySelector('#p-warning');
    warning.hidden = false;
    warning.querySelector('#p-confirm').focus();
    return;
  }
  await send(form);
}

async function send(form) {
  const v = (n) => form.elements[n].value.trim();
  const properties = { council: session.who.scope, title: v('title'), category: v('category') };
  if (v('description')) properties.description = v('description');
  const feature = { type: 'Feature', geometry: typedGeometry(form), properties };
  try {
    const created = await api('/collections/priorities/items', { method: 'POST', body: feature });
    say(`${t('created')}: ${created.properties.title}`);
    form.reset();
    drawing.shape = 'point';
    form.querySelector('#p-point').hidden = false;
    form.querySelector('#p-draw-tools').hidden = true;
    resetDrawing();
    const duplicates = created.possible_duplicates || created.properties.possible_duplicates;
    form.querySelector('#p-duplicates').replaceChildren(duplicateList(duplicates, openCard) || '');
    await hooks.refresh?.();
    openCard(created.id);
  } catch (e) {
    showProblem(form, e);
  }
}
