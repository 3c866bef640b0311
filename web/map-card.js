// The card's surroundings: the distance from a priority to its council's
// meeting place (the council Feature's point), and the other open
// priorities nearby (the API's radius query, nearest first).

import { api } from './api.js';
import { lang, t } from './i18n.js';
import { el } from './map-panels.js';

/** The sphere the API measures on (metres), as docs/api.md says. */
const EARTH_RADIUS_M = 6371008.8;
/** How far "nearby" reaches, in metres. */
export const NEARBY_RADIUS_M = 500;
/** How many nearby priorities the card lists. */
export const NEARBY_LIMIT = 5;
const OPEN = 'proposed,approved,in_progress';

/** The great-circle (haversine) distance in metres between two [lon, lat]. */
export function haversine([lon1, lat1], [lon2, lat2]) {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Every vertex ([lon, lat]) of a GeoJSON geometry. */
export function vertices(geometry) {
  const out = [];
  const visit = (c) => { if (typeof c[0] === 'number') out.push(c); else c.forEach(visit); };
  if (geometry?.coordinates) visit(geometry.coordinates);
  return out;
}

/** Metres from `point` to the nearest vertex of `geometry` (null without one). */
export function nearestVertexMetres(point, geometry) {
  const all = vertices(geometry);
  return all.length ? Math.min(...all.map((v) => haversine(point, v))) : null;
}

/** A distance in metres as the UI language writes it: "850 m", "1,2 km". */
export function formatDistance(metres) {
  const locale = lang === 'en' ? 'en' : 'es';
  if (metres < 1000) return `${Math.round(metres).toLocaleString(locale)} m`;
  const km = (metres / 1000).toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return `${km} km`;
}

/** The point a nearby search starts from: a Point's own, else its vertices' box centre. */
export function centreOf(geometry) {
  if (geometry?.type === 'Point') return geometry.coordinates;
  const all = vertices(geometry);
  if (!all.length) return null;
  const lons = all.map((v) => v[0]);
  const lats = all.map((v) => v[1]);
  return [(Math.min(...lons) + Math.max(...lons)) / 2, (Math.min(...lats) + Math.max(...lats)) / 2];
}

async function councilDistance(feature) {
  const code = feature.properties.council;
  if (!code) return null;
  const council = await api(`/collections/councils/items/${encodeURIComponent(code)}`);
  const place = vertices(council.geometry)[0];
  return place ? nearestVertexMetres(place, feature.geometry) : null;
}

async function nearby(feature) {
  const centre = centreOf(feature.geometry);
  if (!centre) return [];
  const q = new URLSearchParams({
    point: `${centre[0]},${centre[1]}`, radius: String(NEARBY_RADIUS_M), status: OPEN,
    limit: String(NEARBY_LIMIT + 1),
  });
  const page = await api(`/collections/priorities/items?${q}`);
  return page.features.filter((f) => f.id !== feature.id).slice(0, NEARBY_LIMIT);
}

/**
 * The card's part about where `feature` stands: the distance to its
 * council and the list of open priorities nearby, each a button that calls
 * `open(id)`. A part whose request fails is left out.
 */
export async function placeSection(feature, open) {
  const [metres, others] = await Promise.all([
    councilDistance(feature).catch(() => null),
    nearby(feature).catch(() => null),
  ]);
  const parts = [];
  if (metres !== null) {
    parts.push(el('p', { id: 'card-distance', dataset: { metres: metres.toFixed(2) } },
      `${t('councilDistance')}: ${formatDistance(metres)}`));
  }
  if (others) {
    parts.push(el('div', { id: 'card-nearby' },
      el('h3', {}, t('nearby', NEARBY_RADIUS_M)),
      others.length ? el('ul', { class: 'list' }, others.map((f) => {
        const button = el('button', { type: 'button', class: 'link', dataset: { id: f.id } }, f.properties.title);
        button.addEventListener('click', () => open(f.id));
        return el('li', { dataset: { id: f.id } }, button,
          el('span', { class: `badge status-${f.properties.status}` }, t('statuses')[f.properties.status]),
          el('span', { class: 'muted' }, ` ${formatDistance(f.properties.distance_m)}`));
      })) : el('p', { class: 'muted' }, t('nearbyNone'))));
  }
  return parts;
}
