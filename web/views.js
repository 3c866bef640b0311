// The map of an HTML view: the GeoJSON the element's data-source names,
// drawn over a plain background (no basemap from the internet).

async function start() {
  const node = document.getElementById('view-map');
  if (!node) return;
  let maplibregl;
  try {
    maplibregl = await import('/assets/maplibre/maplibre-gl.mjs');
  } catch {
    node.textContent = 'MapLibre GL JS is not part of this build.';
    return;
  }
  const response = await fetch(node.dataset.source, { headers: { Accept: 'application/geo+json' } });
  const data = await response.json();
  const map = new maplibregl.Map({
    container: node, center: [-66.2, 7.5], zoom: 4, attributionControl: false,
    style: {
      version: 8,
      sources: { data: { type: 'geojson', data } },
      layers: [
        { id: 'bg', type: 'background', paint: { 'background-color': '#dfe8ee' } },
        { id: 'fill', type: 'fill', source: 'data', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#fc8d59', 'fill-opacity': 0.5 } },
        { id: 'line', type: 'line', source: 'data', paint: { 'line-color': '#b30000', 'line-width': 1.5 } },
        { id: 'point', type: 'circle', source: 'data', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-color': '#225ea8', 'circle-radius': 5 } },
      ],
    },
  });
  const box = bounds(data);
  if (box) map.fitBounds(box, { padding: 20, maxZoom: 15, duration: 0 });
  // Drawn: for whoever waits on the page (the browser tests).
  map.once('idle', () => { node.dataset.ready = 'true'; });
  window.prioridadesViewMap = map;
}

function bounds(data) {
  let box = null;
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      box = box ? [[Math.min(box[0][0], c[0]), Math.min(box[0][1], c[1])], [Math.max(box[1][0], c[0]), Math.max(box[1][1], c[1])]] : [[c[0], c[1]], [c[0], c[1]]];
    } else c.forEach(visit);
  };
  const features = data.type === 'FeatureCollection' ? data.features : [data];
  for (const f of features) if (f.geometry) visit(f.geometry.coordinates);
  return box;
}

start();
