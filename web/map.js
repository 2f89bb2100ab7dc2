// Leaflet map of the area tree, without any tile layer (nothing is fetched from outside).
// Leaflet is loaded as a classic script and is available as window.L.
// Rule: set the view (fitBounds/setView) BEFORE adding vector layers.

import { t, levelName, fmtNumber } from './i18n.js';

const L = window.L;

// Sequential blue ramp for "persons" (light → dark), readable with dark labels on top.
const RAMP = ['#e6f0fa', '#c4dbf2', '#98bfe6', '#6da1d6', '#4a86c5'];
const OUTLINE = '#143f7a';
const EDGE = '#3c6ea8';
const HOVER = '#0b2d5c';
const SELECTED = '#c2410c';
const NO_VALUE = '#e4e7eb';

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function bboxBounds(b) {
  if (!Array.isArray(b) || b.length !== 4 || !b.every(Number.isFinite)) return null;
  if (b[0] >= b[2] || b[1] >= b[3]) return null; // empty or degenerate (area without a polygon)
  return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
}

// Class breaks (quantiles over distinct values), at most RAMP.length classes.
function breaksFor(values) {
  const v = [...new Set(values.filter(Number.isFinite))].sort((a, b) => a - b);
  if (v.length === 0) return [];
  const n = Math.min(RAMP.length, v.length);
  const out = [];
  for (let i = 1; i < n; i++) out.push(v[Math.floor((i * v.length) / n)]);
  return out; // value x falls in class = number of breaks <= x
}

function classOf(x, breaks) {
  let c = 0;
  while (c < breaks.length && x >= breaks[c]) c++;
  return c;
}

export class AreaMap {
  // metric (optional): { value(props) -> number|null, title(), fmt(v) } colours the children
  // by that value instead of by persons (the leader's dashboard).
  constructor(container, { onAreaClick, onBackgroundClick, metric = null } = {}) {
    this.metric = metric;
    this.onAreaClick = onAreaClick || (() => {});
    this.onBackgroundClick = onBackgroundClick || (() => {});
    this.map = L.map(container, {
      zoomSnap: 0.25,
      zoomDelta: 0.5,
      wheelPxPerZoomLevel: 120,
      attributionControl: false,
      zoomControl: false,
      minZoom: 3,
      maxZoom: 19,
      renderer: L.svg({ padding: 0.5 }),
    });
    this.scale = L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(this.map);
    this.zoom = null;
    this.legend = null;
    this.childLayer = null;
    this.outlineLayer = null;
    this.labelLayer = null;
    this.layersByCode = new Map();
    this.labelsByCode = new Map();
    this.selected = null;
    this.hoverLayer = null;
    this.selectLayer = null;
    this.data = null;
    this.hasView = false;
    this.map.on('click', (e) => this.onBackgroundClick(e.latlng));
    this.map.on('zoomend', () => this.updateLabelVisibility());
    if (typeof ResizeObserver === 'function') {
      this.resizer = new ResizeObserver(() => this.map.invalidateSize({ pan: false }));
      this.resizer.observe(container);
    }
    this.relabelControls();
  }

  // Answers that arrive after this (an area's outline, a located point) are dropped.
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.resizer) this.resizer.disconnect();
    this.map.stop();
    this.map.remove();
  }

  relabelControls() {
    if (this.zoom) this.zoom.remove();
    this.zoom = L.control
      .zoom({ position: 'topleft', zoomInTitle: t('map.zoomIn'), zoomOutTitle: t('map.zoomOut') })
      .addTo(this.map);
    this.renderLegend();
  }

  // data: { area, outline: FeatureCollection|null, children: FeatureCollection|null }
  show(data, { fit = true } = {}) {
    if (this.destroyed) return;
    this.data = data;
    this.clearLayers();
    const outline = data.outline && data.outline.features && data.outline.features.length ? data.outline : null;
    const kids = data.children && data.children.features ? data.children.features : [];
    const values = kids.map((f) => this.valueOf(f.properties));
    this.breaks = breaksFor(values);

    const outlineLayer = outline
      ? L.geoJSON(outline, {
          interactive: false,
          style: () => ({
            color: OUTLINE,
            weight: 3,
            opacity: 0.95,
            dashArray: kids.length ? '8 5' : null,
            fill: !kids.length,
            fillColor: RAMP[1],
            fillOpacity: 0.6,
          }),
        })
      : null;
    const childLayer = L.geoJSON(
      { type: 'FeatureCollection', features: kids },
      {
        bubblingMouseEvents: false,
        style: (f) => this.styleFor(f),
        onEachFeature: (f, layer) => this.bindFeature(f, layer),
      },
    );

    // View first, then layers.
    if (fit || !this.hasView) {
      let bounds = bboxBounds(data.area && data.area.bbox);
      if (!bounds && outlineLayer) bounds = outlineLayer.getBounds();
      if ((!bounds || !bounds.isValid()) && kids.length) bounds = childLayer.getBounds();
      if (bounds && bounds.isValid()) {
        this.map.fitBounds(bounds, { padding: [24, 24], animate: false });
      } else if (!this.hasView) {
        this.map.setView([23.0, 113.1], 10, { animate: false });
      }
      this.hasView = true;
    }

    this.childLayer = childLayer.addTo(this.map);
    if (outlineLayer) this.outlineLayer = outlineLayer.addTo(this.map);
    this.labelLayer = L.layerGroup().addTo(this.map);
    this.childLayer.eachLayer((layer) => this.addLabel(layer));
    if (!kids.length && outlineLayer && data.area) {
      outlineLayer.eachLayer((layer) => this.addLabel(layer, data.area.name));
    }
    this.updateLabelVisibility();
    this.renderLegend();
    if (this.selected) this.setSelected(this.selected);
  }

  clearLayers() {
    for (const name of ['childLayer', 'outlineLayer', 'labelLayer', 'hoverLayer', 'selectLayer']) {
      if (this[name]) {
        this[name].remove();
        this[name] = null;
      }
    }
    this.layersByCode.clear();
    this.labelsByCode.clear();
  }

  valueOf(p) {
    if (!p) return NaN;
    if (this.metric) {
      const v = this.metric.value(p);
      return v === null || v === undefined ? NaN : Number(v);
    }
    return Number(p.persons);
  }

  // Change the colouring metric and restyle the drawn children (no refit).
  setMetric(metric) {
    this.metric = metric;
    if (!this.data) return;
    const kids = this.data.children && this.data.children.features ? this.data.children.features : [];
    this.breaks = breaksFor(kids.map((f) => this.valueOf(f.properties)));
    if (this.childLayer) this.childLayer.setStyle((f) => this.styleFor(f));
    this.renderLegend();
  }

  styleFor(f) {
    const x = this.valueOf(f.properties);
    const c = classOf(x, this.breaks || []);
    return {
      color: EDGE,
      weight: 1.25,
      opacity: 1,
      fillColor: Number.isFinite(x) ? RAMP[Math.min(c, RAMP.length - 1)] : NO_VALUE,
      fillOpacity: 0.78,
    };
  }

  tooltipContent(p) {
    const box = el('div', 'area-tip');
    box.append(el('strong', null, p.name || p.code || ''));
    box.append(el('span', 'area-tip-level', levelName(p.level)));
    const dl = el('dl');
    dl.append(el('dt', null, t('panel.households')), el('dd', null, fmtNumber(p.households)));
    dl.append(el('dt', null, t('panel.persons')), el('dd', null, fmtNumber(p.persons)));
    if (this.metric) dl.append(el('dt', null, this.metric.title()), el('dd', null, this.metric.fmt(this.valueOf(p))));
    box.append(dl);
    return box;
  }

  bindFeature(f, layer) {
    const p = f.properties || {};
    this.layersByCode.set(p.code, layer);
    layer.bindTooltip(() => this.tooltipContent(p), { sticky: true, direction: 'top', offset: [0, -8], className: 'area-tooltip' });
    // Highlights are drawn as separate non-interactive layers: re-ordering the hovered
    // path (bringToFront) would make Chrome lose its mouseout event.
    layer.on('mouseover', () => this.highlight('hoverLayer', f, HOVER, 3));
    layer.on('mouseout', () => this.unhighlight('hoverLayer'));
    layer.on('click', () => this.onAreaClick(p));
  }

  addLabel(layer, forceName) {
    const p = (layer.feature && layer.feature.properties) || {};
    let center;
    try {
      center = layer.getCenter();
    } catch {
      center = layer.getBounds().getCenter();
    }
    const icon = L.divIcon({ className: 'area-label', html: '', iconSize: null });
    const marker = L.marker(center, { icon, interactive: false, keyboard: false });
    marker.addTo(this.labelLayer);
    const node = marker.getElement();
    if (node) {
      const span = el('span', null, forceName || p.name || p.code || '');
      node.replaceChildren(span);
    }
    this.labelsByCode.set(p.code || forceName, { marker, layer });
  }

  updateLabelVisibility() {
    if (!this.labelsByCode.size) return;
    const many = this.labelsByCode.size > 80;
    for (const { marker, layer } of this.labelsByCode.values()) {
      const node = marker.getElement();
      if (!node) continue;
      const b = layer.getBounds();
      const a = this.map.latLngToContainerPoint(b.getNorthWest());
      const z = this.map.latLngToContainerPoint(b.getSouthEast());
      const w = Math.abs(z.x - a.x);
      const h = Math.abs(z.y - a.y);
      const span = node.firstChild;
      const need = span ? Math.min(span.offsetWidth || 40, 140) : 40;
      node.classList.toggle('is-hidden', many || w < need + 6 || h < 18);
    }
  }

  highlight(slot, feature, color, weight) {
    this.unhighlight(slot);
    if (!feature) return;
    this[slot] = L.geoJSON(feature, {
      interactive: false,
      style: () => ({ color, weight, opacity: 1, fill: false }),
    }).addTo(this.map);
  }

  unhighlight(slot) {
    if (this[slot]) {
      this[slot].remove();
      this[slot] = null;
    }
  }

  setSelected(code) {
    this.selected = code;
    const layer = code && this.layersByCode.get(code);
    if (layer) this.highlight('selectLayer', layer.feature, SELECTED, 4);
    else this.unhighlight('selectLayer');
  }

  renderLegend() {
    if (this.legend) {
      this.legend.remove();
      this.legend = null;
    }
    const kids = this.data && this.data.children && this.data.children.features;
    if (!kids || !kids.length) return;
    const breaks = this.breaks || [];
    const values = kids.map((f) => this.valueOf(f.properties)).filter(Number.isFinite);
    if (!values.length) return;
    const fmt = this.metric ? (v) => this.metric.fmt(v) : fmtNumber;
    const discrete = !this.metric;
    const min = Math.min(...values);
    const max = Math.max(...values);
    const legend = L.control({ position: 'bottomright' });
    legend.onAdd = () => {
      const box = el('div', 'map-legend');
      box.append(el('div', 'map-legend-title', this.metric ? this.metric.title() : t('panel.legend')));
      const lows = [min, ...breaks];
      lows.forEach((lo, i) => {
        const hi = i < breaks.length ? (discrete ? breaks[i] - 1 : breaks[i]) : max;
        const row = el('div', 'map-legend-row');
        const sw = el('span', 'map-legend-swatch');
        sw.style.background = RAMP[i];
        const label = lo >= hi ? fmt(lo) : `${fmt(lo)} – ${fmt(hi)}`;
        row.append(sw, el('span', null, label));
        box.append(row);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    this.legend = legend.addTo(this.map);
  }

  // Re-render every visible string after a language switch (no refit).
  relabel() {
    this.relabelControls();
    this.map.closePopup();
  }

  popup(latlng, content) {
    return L.popup({ maxWidth: 280, autoPan: true }).setLatLng(latlng).setContent(content).openOn(this.map);
  }
}

// Reference polygons (the user's area and the level below it) drawn under a point.
// Not interactive: every click goes to the map itself. Each path gets the class
// "ref-area ref-CODE" so tests and styles can find the polygon of an area.
function referenceLayer(fc, { highlight = null } = {}) {
  return L.geoJSON(fc, {
    interactive: false,
    style: (f) => {
      const code = (f.properties && f.properties.code) || '';
      const hi = highlight && code === highlight;
      return {
        className: `ref-area ref-${code}`,
        color: hi ? SELECTED : EDGE,
        weight: hi ? 3 : 1.25,
        opacity: 1,
        fillColor: hi ? '#fde7d9' : RAMP[0],
        fillOpacity: hi ? 0.55 : 0.7,
      };
    },
  });
}

function addAreaLabels(map, fc, group) {
  for (const f of (fc && fc.features) || []) {
    const p = f.properties || {};
    let center;
    try {
      center = L.geoJSON(f).getBounds().getCenter();
    } catch {
      continue;
    }
    const icon = L.divIcon({ className: 'area-label', html: '', iconSize: null });
    const marker = L.marker(center, { icon, interactive: false, keyboard: false }).addTo(group);
    const node = marker.getElement();
    if (node) node.replaceChildren(el('span', null, p.name || p.code || ''));
  }
}

function pinMarker(latlng) {
  return L.circleMarker(latlng, {
    radius: 9,
    color: '#ffffff',
    weight: 3,
    fillColor: SELECTED,
    fillOpacity: 1,
    interactive: false,
    className: 'map-pin',
    pane: 'pinPane',
  });
}

// The current view as "west,south,east,north" on the container (data-bounds), for tests.
function publishBounds(map, container) {
  const b = map.getBounds();
  container.dataset.bounds = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(6)).join(',');
}

function baseMap(container, options = {}) {
  const map = L.map(container, {
    ...options,
    zoomSnap: 0.25,
    zoomDelta: 0.5,
    wheelPxPerZoomLevel: 120,
    attributionControl: false,
    zoomControl: false,
    minZoom: 3,
    maxZoom: 19,
    renderer: L.svg({ padding: 0.5 }),
  });
  relabelZoom(map);
  L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);
  // The chosen point is drawn above the area labels (marker pane, 600).
  const pane = map.createPane('pinPane');
  pane.style.zIndex = '650';
  pane.style.pointerEvents = 'none';
  return map;
}

function relabelZoom(map) {
  if (map.ggZoom) map.ggZoom.remove();
  map.ggZoom = L.control.zoom({ position: 'topleft', zoomInTitle: t('map.zoomIn'), zoomOutTitle: t('map.zoomOut') }).addTo(map);
}

// A map to choose one point: click (or "use centre") → onPick({lat, lng}).
export class PointPicker {
  constructor(container, { onPick } = {}) {
    this.container = container;
    this.onPick = onPick || (() => {});
    // A click picks the point, so two quick clicks are two picks, not a zoom (whose animation
    // could also outlive the map when the form is sent right after).
    this.map = baseMap(container, { doubleClickZoom: false });
    this.marker = null;
    this.layers = [];
    this.map.on('click', (e) => this.pick(e.latlng));
    this.map.on('moveend', () => publishBounds(this.map, container));
    if (typeof ResizeObserver === 'function') {
      this.resizer = new ResizeObserver(() => this.map.invalidateSize({ pan: false }));
      this.resizer.observe(container);
    }
  }

  // View first, then layers.
  show({ bbox = null, outline = null, children = null, fallback = [23.03, 113.15], zoom = 11 } = {}) {
    if (this.destroyed) return;
    for (const l of this.layers) l.remove();
    this.layers = [];
    const bounds = bboxBounds(bbox);
    if (bounds) this.map.fitBounds(bounds, { padding: [16, 16], animate: false });
    else this.map.setView(fallback, zoom, { animate: false });
    publishBounds(this.map, this.container);
    const kids = children && children.features && children.features.length ? children : null;
    if (kids) this.layers.push(referenceLayer(kids).addTo(this.map));
    if (outline && outline.features && outline.features.length) {
      this.layers.push(
        L.geoJSON(outline, {
          interactive: false,
          style: () => ({ color: OUTLINE, weight: 3, opacity: 0.95, dashArray: kids ? '8 5' : null, fill: !kids, fillColor: RAMP[0], fillOpacity: 0.7 }),
        }).addTo(this.map),
      );
    }
    const labels = L.layerGroup().addTo(this.map);
    addAreaLabels(this.map, kids, labels);
    this.layers.push(labels);
    if (this.marker) this.marker.bringToFront();
  }

  pick(latlng) {
    this.setPoint(latlng);
    this.onPick({ lat: latlng.lat, lng: latlng.lng });
  }

  pickCenter() {
    this.pick(this.map.getCenter());
  }

  setPoint(latlng, { pan = false } = {}) {
    if (this.destroyed) return;
    if (this.marker) this.marker.remove();
    this.marker = null;
    if (!latlng) return;
    this.marker = pinMarker(latlng).addTo(this.map);
    if (pan) this.map.panTo(latlng, { animate: false });
  }

  relabel() {
    relabelZoom(this.map);
  }

  // Answers that arrive after this (an area's outline, a located point) are dropped.
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.resizer) this.resizer.disconnect();
    this.map.stop();
    this.map.remove();
  }
}

// A small map showing where a case is: its point over the area around it.
export class PointMap {
  constructor(container, { lat, lng }) {
    this.map = baseMap(container);
    this.map.setView([lat, lng], 16, { animate: false });
    this.point = [lat, lng];
    this.layers = [];
    this.marker = pinMarker(this.point).addTo(this.map);
    if (typeof ResizeObserver === 'function') {
      this.resizer = new ResizeObserver(() => this.map.invalidateSize({ pan: false }));
      this.resizer.observe(container);
    }
  }

  // fc: areas around the point; highlight: code of the case's own area.
  context(fc, highlight) {
    if (this.destroyed || !fc || !fc.features || !fc.features.length) return;
    const layer = referenceLayer(fc, { highlight });
    const own = fc.features.find((f) => f.properties && f.properties.code === highlight);
    const bounds = own ? L.geoJSON(own).getBounds() : null;
    if (bounds && bounds.isValid()) this.map.fitBounds(bounds.extend(this.point), { padding: [30, 30], maxZoom: 17, animate: false });
    this.layers.push(layer.addTo(this.map));
    const labels = L.layerGroup().addTo(this.map);
    addAreaLabels(this.map, fc, labels);
    this.layers.push(labels);
    this.marker.bringToFront();
  }

  relabel() {
    relabelZoom(this.map);
  }

  // Answers that arrive after this (an area's outline, a located point) are dropped.
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.resizer) this.resizer.disconnect();
    this.map.stop();
    this.map.remove();
  }
}

export { el };
