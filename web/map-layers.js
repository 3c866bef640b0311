// The map's sources and layers: the territories of the vector tiles as the
// base layer (coloured by their count of priorities under the filters),
// and the priorities' tiles (clusters below the cluster zoom, then each
// priority by category, outlined by status). Under them, when the server
// was given one, a raster basemap.

import { CLASSES } from './map-stats.js';

export const CATEGORY_COLOURS = {
  water: '#1f78b4', electricity: '#e6a100', roads: '#6a3d9a', health: '#e31a1c',
  education: '#33a02c', security: '#444444', housing: '#b15928', environment: '#1b9e77',
  gas: '#ff7f00', transport: '#7570b3', telecom: '#e7298a', food: '#a6761d',
  culture_sport: '#66a61e', other: '#777777',
};

const STATUS_COLOURS = {
  proposed: '#ffffff', approved: '#2c7fb8', in_progress: '#fdae61', done: '#1a9641',
  rejected: '#000000', duplicate: '#9e9e9e',
};

/** Territory levels and the zooms at which each is drawn. */
const LEVELS = [
  ['states', 0, 6],
  ['municipalities', 6, 9],
  ['parishes', 9, 24],
];

function tilejson(collection, query) {
  const q = query ? `?${query}` : '';
  return `/collections/${collection}/tiles/WebMercatorQuad/tilejson.json${q}`;
}

function matchColours(table, property, fallback) {
  const expression = ['match', ['get', property]];
  for (const [key, colour] of Object.entries(table)) expression.push(key, colour);
  expression.push(fallback);
  return expression;
}

/** The choropleth's colour: the class of a territory's `priorities` count. */
function choropleth() {
  const expression = ['step', ['get', 'priorities'], CLASSES[0][1]];
  for (const [from, colour] of CLASSES.slice(1)) expression.push(from, colour);
  return expression;
}

/**
 * The map's style: our tiles, over the raster XYZ `basemap` template when
 * the server names one (none by default: nothing from another origin).
 */
export function style(query, basemap = null) {
  const sources = {};
  const layers = [{ id: 'background', type: 'background', paint: { 'background-color': '#dfe8ee' } }];
  if (basemap) {
    sources.basemap = { type: 'raster', tiles: [basemap], tileSize: 256, maxzoom: 19,
      attribution: new URL(basemap.replace(/[{}]/g, '')).host };
    layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  }
  for (const [level, minzoom, maxzoom] of LEVELS) {
    sources[level] = { type: 'vector', url: tilejson(level, query) };
    layers.push({
      id: `${level}-fill`, type: 'fill', source: level, 'source-layer': level, minzoom, maxzoom,
      paint: {
        'fill-color': choropleth(),
        'fill-opacity': basemap ? 0.45 : 0.75,
      },
    });
    layers.push({
      id: `${level}-line`, type: 'line', source: level, 'source-layer': level, minzoom, maxzoom,
      paint: { 'line-color': '#555555', 'line-width': 0.8 },
    });
  }
  sources.priorities = { type: 'vector', url: tilejson('priorities', query) };
  const single = ['!=', ['get', 'cluster'], true];
  layers.push(
    {
      id: 'priority-areas', type: 'fill', source: 'priorities', 'source-layer': 'priorities',
      filter: ['all', single, ['==', ['geometry-type'], 'Polygon']],
      paint: { 'fill-color': matchColours(CATEGORY_COLOURS, 'category', '#777777'), 'fill-opacity': 0.5 },
    },
    {
      id: 'priority-lines', type: 'line', source: 'priorities', 'source-layer': 'priorities',
      filter: ['all', single, ['==', ['geometry-type'], 'LineString']],
      paint: { 'line-color': matchColours(CATEGORY_COLOURS, 'category', '#777777'), 'line-width': 3 },
    },
    {
      id: 'clusters', type: 'circle', source: 'priorities', 'source-layer': 'priorities',
      filter: ['==', ['get', 'cluster'], true],
      paint: {
        'circle-color': '#225ea8',
        'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 2, 10, 100, 18, 1000, 26],
        'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5, 'circle-opacity': 0.85,
      },
    },
    {
      id: 'priority-points', type: 'circle', source: 'priorities', 'source-layer': 'priorities',
      filter: ['all', single, ['==', ['geometry-type'], 'Point']],
      paint: {
        'circle-color': matchColours(CATEGORY_COLOURS, 'category', '#777777'),
        'circle-radius': 6,
        'circle-stroke-color': matchColours(STATUS_COLOURS, 'status', '#000000'),
        'circle-stroke-width': 2,
      },
    },
  );
  return { version: 8, sources, layers };
}

/**
 * Points the map's tile sources at the filters in `query`; a source already
 * pointing there is left alone (setting its URL again would reload it).
 */
export function refilter(map, query) {
  for (const name of [...LEVELS.map(([level]) => level), 'priorities']) {
    const source = map.getSource(name);
    const url = tilejson(name, query);
    if (source && source.url !== url) source.setUrl(url);
  }
}

/** The layers a click on a priority is looked for in. */
export const PRIORITY_LAYERS = ['priority-points', 'priority-lines', 'priority-areas'];
