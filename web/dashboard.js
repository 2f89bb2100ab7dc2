// Leader's dashboard (#/dashboard[?area=CODE&ind=KEY]): the area's children on a map coloured
// by a chosen indicator, drill-down from district to cell, indicator cards, trend charts
// (ECharts, loaded from /vendor on first use), the forecast with its 80%/95% bands and the
// alerts of the area. Reads /api/v1/areas, /api/v1/stats/indicators, /stats/forecast, /alerts.

import { t, levelName, fmtNumber, getLang } from './i18n.js';
import { api, errorText, get } from './api.js';
import { AreaMap } from './map.js';
import { el, button, formField, selectEl } from './ui.js';

const enc = encodeURIComponent;

// The indicators a leader can colour the map by. value(row, area) from a by=child row of
// /stats/indicators and the area's counts; higher is "more" (the ramp is sequential).
const INDICATORS = {
  overdue: {
    label: 'dash.ind.overdue',
    value: (row) => (row ? Math.max(0, (row.counters.closed || 0) - (row.counters.closed_on_time || 0)) : null),
    fmt: (v) => fmtNumber(v),
  },
  satisfaction: {
    label: 'dash.ind.satisfaction',
    value: (row) => (row && row.counters.evaluated ? row.indicators.satisfaction_rate : null),
    fmt: (v) => pct(v),
  },
  per_household: {
    label: 'dash.ind.perHousehold',
    value: (row, area) => (row && area && area.households ? ((row.counters.collected || 0) * 100) / area.households : null),
    fmt: (v) => (Number.isFinite(v) ? v.toFixed(1) : '–'),
  },
};

function pct(v) {
  return Number.isFinite(v) ? (v * 100).toFixed(1) + '%' : '–';
}

let echartsPromise = null;
function loadECharts() {
  if (!echartsPromise) {
    echartsPromise = import('/vendor/echarts/echarts.esm.min.mjs').catch((e) => {
      echartsPromise = null;
      throw e;
    });
  }
  return echartsPromise;
}

export function dashboardView(ctx, r) {
  const st = {
    code: r.query.get('area') || ctx.user.area_code,
    ind: INDICATORS[r.query.get('ind')] ? r.query.get('ind') : 'overdue',
    area: null,
    items: [],
    rows: new Map(), // child code -> indicator row
    total: null,
    months: [],
    forecast: null,
    alerts: [],
    error: null,
    chartError: null,
  };
  let main = null;
  let areaMap = null;
  let charts = [];
  let token = 0;

  function metric() {
    const ind = INDICATORS[st.ind];
    const byCode = new Map(st.items.map((a) => [a.code, a]));
    return {
      value: (p) => ind.value(st.rows.get(p.code), byCode.get(p.code) || p),
      title: () => t(ind.label),
      fmt: ind.fmt,
    };
  }

  function disposeCharts() {
    for (const c of charts) c.dispose();
    charts = [];
  }

  async function load(code) {
    const my = ++token;
    ctx.busy();
    st.error = null;
    try {
      const [area, kids, geo, outline, total, months, forecast, alerts] = await Promise.all([
        api.area(code),
        api.children(code).catch(() => ({ items: [] })),
        api.geojson(code, 1).catch(() => null),
        api.geojson(code, 0).catch(() => null),
        get(`/api/v1/stats/indicators?area=${enc(code)}&by=total`),
        get(`/api/v1/stats/indicators?area=${enc(code)}&by=month`),
        get(`/api/v1/stats/forecast?area=${enc(code)}&by=month`).catch(() => null),
        get(`/api/v1/alerts?area=${enc(code)}`).catch(() => ({ items: [] })),
      ]);
      let child = { rows: [] };
      if (area.level !== 'cell' && (kids.items || []).length) child = await get(`/api/v1/stats/indicators?area=${enc(code)}&by=child`);
      if (my !== token) return;
      st.code = code;
      st.area = area;
      st.items = kids.items || [];
      st.geo = geo;
      st.outline = outline;
      st.rows = new Map((child.rows || []).map((x) => [x.key, x]));
      st.total = (total.rows || [])[0] || null;
      st.period = { from: total.from, to: total.to };
      st.months = months.rows || [];
      st.forecast = forecast;
      st.alerts = (alerts && alerts.items) || [];
    } catch (e) {
      if (my !== token) return;
      if (e && e.status === 401) return ctx.sessionLost();
      st.error = e;
    }
    render();
    ctx.ready();
  }

  function drill(code) {
    const h = `#/dashboard?area=${enc(code)}&ind=${st.ind}`;
    history.replaceState(null, '', h);
    load(code);
  }

  function render() {
    if (!main) return;
    disposeCharts();
    if (areaMap) {
      areaMap.destroy();
      areaMap = null;
    }
    const page = el('div', 'page page-wide dash');
    const head = el('div', 'page-head');
    const h1 = el('h1', 'page-title', t('dash.title'));
    h1.id = 'dash-title';
    h1.tabIndex = -1;
    head.append(h1);
    if (st.period) head.append(el('span', 'page-sub', t('dash.period', st.period)));
    page.append(head);

    // Breadcrumb from the user's own area down to here.
    if (st.area) {
      const nav = el('nav', 'breadcrumb dash-crumbs');
      nav.setAttribute('aria-label', t('panel.breadcrumb'));
      const ol = el('ol');
      const path = st.area.path || [];
      const i0 = Math.max(0, path.findIndex((p) => p.code === ctx.user.area_code));
      const shown = path.slice(i0);
      if (!shown.length || shown[shown.length - 1].code !== st.area.code) shown.push(st.area);
      shown.forEach((p, i) => {
        const li = el('li', 'crumb');
        li.dataset.code = p.code;
        li.dataset.level = p.level;
        if (i === shown.length - 1) {
          const cur = el('span', 'crumb-current', p.name);
          cur.setAttribute('aria-current', 'page');
          li.append(cur);
        } else li.append(button('crumb-link', p.name, () => drill(p.code), { title: levelName(p.level) }));
        ol.append(li);
      });
      nav.append(ol);
      page.append(nav);
    }

    if (st.error) {
      const err = el('p', 'panel-error', errorText(st.error));
      err.setAttribute('role', 'alert');
      page.append(err);
      main.replaceChildren(page);
      return;
    }
    if (!st.area) {
      page.append(el('p', 'empty', t('panel.loading')));
      main.replaceChildren(page);
      return;
    }

    page.append(cards());

    // Map + children table
    const grid = el('div', 'dash-grid');
    const mapCard = el('section', 'card dash-map-card');
    mapCard.setAttribute('aria-labelledby', 'dash-map-title');
    const mh = el('div', 'dash-card-head');
    const mt = el('h2', 'card-title', t('dash.mapTitle', { name: st.area.name }));
    mt.id = 'dash-map-title';
    const sel = selectEl(
      'indicator',
      Object.entries(INDICATORS).map(([k, v]) => ({ value: k, label: t(v.label) })),
      st.ind,
    );
    sel.id = 'dash-indicator';
    sel.addEventListener('change', () => {
      st.ind = sel.value;
      history.replaceState(null, '', `#/dashboard?area=${enc(st.code)}&ind=${st.ind}`);
      if (areaMap) areaMap.setMetric(metric());
      renderTable();
    });
    const f = formField(t('dash.colourBy'), sel, { cls: 'dash-ind-field' });
    mh.append(mt, f.wrap);
    const mapEl = el('div', 'map dash-map');
    mapEl.id = 'dash-map';
    mapCard.append(mh, mapEl);
    const tableCard = el('section', 'card dash-table-card');
    tableCard.setAttribute('aria-labelledby', 'dash-children-title');
    grid.append(mapCard, tableCard);
    page.append(grid);

    function renderTable() {
      const h = el('h2', 'card-title', st.items.length ? t('dash.children', { level: levelName(st.items[0].level) }) : t('dash.noChildren'));
      h.id = 'dash-children-title';
      const parts2 = [h];
      if (st.items.length) {
        const table = el('table', 'dash-table');
        const cap = el('caption', 'sr-only', t('dash.children', { level: levelName(st.items[0].level) }));
        const thead = el('thead');
        const tr = el('tr');
        for (const k of ['dash.col.area', 'dash.col.households', 'dash.col.collected', INDICATORS[st.ind].label]) {
          const th = el('th', null, t(k));
          th.scope = 'col';
          tr.append(th);
        }
        thead.append(tr);
        const tbody = el('tbody');
        const m = metric();
        for (const a of st.items) {
          const row = st.rows.get(a.code);
          const tr2 = el('tr');
          tr2.dataset.code = a.code;
          const th = el('th');
          th.scope = 'row';
          const leaf = a.level === 'cell' || !a.children;
          if (leaf) th.append(el('span', null, a.name));
          else {
            const b = button('link-btn dash-drill', a.name, () => drill(a.code), { 'aria-label': t('panel.drill', { name: a.name }) });
            b.dataset.code = a.code;
            th.append(b);
          }
          tr2.append(
            th,
            el('td', 'num', fmtNumber(a.households)),
            el('td', 'num', fmtNumber(row ? row.counters.collected : 0)),
            el('td', 'num dash-value', m.fmt(m.value(a))),
          );
          tbody.append(tr2);
        }
        table.append(cap, thead, tbody);
        const wrap = el('div', 'table-scroll');
        wrap.append(table);
        parts2.push(wrap);
      } else parts2.push(el('p', 'muted', t('dash.leaf')));
      tableCard.replaceChildren(...parts2);
    }
    renderTable();

    // Charts
    const charts2 = el('div', 'dash-charts');
    const trend = chartCard('dash-trend', t('dash.trend'));
    const fc = chartCard('dash-forecast', t('dash.forecast'));
    charts2.append(trend.card, fc.card);
    page.append(charts2);
    page.append(alertsCard());

    main.replaceChildren(page);

    areaMap = new AreaMap(mapEl, { onAreaClick: (p) => p.level !== 'cell' && p.children && drill(p.code), metric: metric() });
    areaMap.show({ area: st.area, outline: st.outline, children: st.geo }, { fit: true });
    drawCharts(trend, fc);
  }

  function chartCard(id, title) {
    const card = el('section', 'card dash-chart-card');
    card.setAttribute('aria-labelledby', id + '-title');
    const h = el('h2', 'card-title', title);
    h.id = id + '-title';
    const box = el('div', 'dash-chart');
    box.id = id;
    box.setAttribute('role', 'img');
    const table = el('details', 'dash-chart-data');
    card.append(h, box, table);
    return { card, box, table };
  }

  function cards() {
    const sec = el('section', 'dash-cards');
    sec.setAttribute('aria-label', t('dash.cards'));
    const c = (st.total && st.total.counters) || {};
    const ind = (st.total && st.total.indicators) || {};
    const items = [
      ['collected', t('dash.card.collected'), fmtNumber(c.collected ?? 0)],
      ['closed', t('dash.card.closed'), fmtNumber(c.closed ?? 0)],
      ['overdue', t('dash.ind.overdue'), fmtNumber(Math.max(0, (c.closed || 0) - (c.closed_on_time || 0)))],
      ['on_time', t('dash.card.onTime'), pct(ind.on_time_closure_rate)],
      ['satisfaction', t('dash.ind.satisfaction'), pct(c.evaluated ? ind.satisfaction_rate : NaN)],
      ['hours', t('dash.card.hours'), Number.isFinite(ind.mean_handling_hours) ? ind.mean_handling_hours.toFixed(1) : '–'],
    ];
    for (const [key, label, value] of items) {
      const d = el('div', 'dash-kpi');
      d.dataset.kpi = key;
      d.append(el('span', 'dash-kpi-label', label), el('span', 'dash-kpi-value', value));
      sec.append(d);
    }
    return sec;
  }

  function alertsCard() {
    const sec = el('section', 'card dash-alerts');
    sec.setAttribute('aria-labelledby', 'dash-alerts-title');
    const h = el('h2', 'card-title', t('dash.alerts'));
    h.id = 'dash-alerts-title';
    sec.append(h);
    if (!st.alerts.length) {
      sec.append(el('p', 'muted', t('dash.noAlerts')));
      return sec;
    }
    const ul = el('ul', 'dash-alert-list');
    for (const a of st.alerts) {
      const li = el('li', 'dash-alert dash-alert-' + a.kind);
      li.dataset.kind = a.kind;
      const name = a.category_name || a.category || t('dash.allCases');
      if (a.kind === 'above_band') {
        li.append(el('strong', null, t('dash.alert.above', { name })));
        li.append(el('span', null, t('dash.alert.aboveText', { week: a.week, observed: fmtNumber(a.observed), expected: fmtNumber(Math.round(a.expected * 10) / 10), hi: fmtNumber(Math.round(a.hi95 * 10) / 10) })));
      } else if (a.kind === 'seasonal_peak') {
        li.append(el('strong', null, t('dash.alert.peak', { name })));
        li.append(el('span', null, t('dash.alert.peakText', { week: a.peak_week, peak: fmtNumber(Math.round(a.expected_peak)), base: fmtNumber(a.baseline), by: a.act_by })));
      } else {
        li.append(el('strong', null, name), el('span', null, t('dash.alert.other')));
      }
      ul.append(li);
    }
    sec.append(ul);
    return sec;
  }

  function dataTable(details, header, rows) {
    details.replaceChildren(el('summary', null, t('dash.showData')));
    const table = el('table', 'dash-table');
    const tr = el('tr');
    for (const h of header) {
      const th = el('th', null, h);
      th.scope = 'col';
      tr.append(th);
    }
    const thead = el('thead');
    thead.append(tr);
    const tbody = el('tbody');
    for (const r of rows) {
      const row = el('tr');
      r.forEach((v, i) => row.append(el(i ? 'td' : 'th', i ? 'num' : null, String(v))));
      tbody.append(row);
    }
    table.append(thead, tbody);
    details.append(table);
  }

  async function drawCharts(trend, fc) {
    const my = token;
    const months = st.months;
    const labels = months.map((m) => m.key);
    trend.box.setAttribute('aria-label', t('dash.trendAlt'));
    dataTable(
      trend.table,
      [t('dash.col.month'), t('dash.card.collected'), t('dash.card.closed'), t('dash.card.onTime')],
      months.map((m) => [m.key, m.counters.collected, m.counters.closed, pct(m.indicators.on_time_closure_rate)]),
    );
    const f = st.forecast;
    fc.box.setAttribute('aria-label', t('dash.forecastAlt'));
    if (f) {
      dataTable(
        fc.table,
        [t('dash.col.month'), t('dash.fc.point'), t('dash.fc.band80'), t('dash.fc.band95')],
        [
          ...f.history.map((h) => [h.start.slice(0, 7), Math.round(h.count), '', '']),
          ...f.forecast.map((p) => [p.start.slice(0, 7), Math.round(p.point), `${Math.round(p.lo80)}–${Math.round(p.hi80)}`, `${Math.round(p.lo95)}–${Math.round(p.hi95)}`]),
        ],
      );
    } else fc.table.replaceChildren(el('p', 'muted', t('dash.noForecast')));
    let echarts;
    try {
      echarts = await loadECharts();
    } catch {
      if (my !== token) return;
      trend.box.replaceChildren(el('p', 'panel-error', t('dash.chartsFailed')));
      fc.box.replaceChildren(el('p', 'panel-error', t('dash.chartsFailed')));
      return;
    }
    if (my !== token || !trend.box.isConnected) return;
    // On a phone the legend wraps to two lines: leave it room above the axis names.
    const top = trend.box.clientWidth < 520 ? 72 : 48;
    const base = { animation: false, textStyle: { fontFamily: getComputedStyle(document.body).fontFamily }, grid: { left: 48, right: 48, top, bottom: 32 } };
    const c1 = echarts.init(trend.box, null, { renderer: 'svg' });
    c1.setOption({
      ...base,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: { type: 'category', data: labels },
      yAxis: [{ type: 'value', name: t('dash.axis.cases') }, { type: 'value', name: '%', max: 100, min: 0 }],
      series: [
        { name: t('dash.card.collected'), type: 'bar', data: months.map((m) => m.counters.collected), itemStyle: { color: '#4a86c5' } },
        { name: t('dash.card.closed'), type: 'bar', data: months.map((m) => m.counters.closed), itemStyle: { color: '#98bfe6' } },
        { name: t('dash.card.onTime'), type: 'line', yAxisIndex: 1, data: months.map((m) => (Number.isFinite(m.indicators.on_time_closure_rate) ? +(m.indicators.on_time_closure_rate * 100).toFixed(1) : null)), itemStyle: { color: '#c2410c' } },
      ],
    });
    charts.push(c1);
    if (f && f.forecast && f.forecast.length) {
      const hist = f.history.map((h) => [h.start.slice(0, 7), h.count]);
      const fx = f.forecast.map((p) => p.start.slice(0, 7));
      const x = [...hist.map((h) => h[0]), ...fx];
      const pad = (arr) => [...hist.map(() => null), ...arr];
      const lo95 = pad(f.forecast.map((p) => p.lo95));
      const d95lo = pad(f.forecast.map((p) => p.lo80 - p.lo95));
      const d80 = pad(f.forecast.map((p) => p.hi80 - p.lo80));
      const d95hi = pad(f.forecast.map((p) => p.hi95 - p.hi80));
      const c2 = echarts.init(fc.box, null, { renderer: 'svg' });
      c2.setOption({
        ...base,
        tooltip: { trigger: 'axis' },
        legend: { top: 0, data: [t('dash.fc.history'), t('dash.fc.point'), t('dash.fc.band80'), t('dash.fc.band95')] },
        xAxis: { type: 'category', data: x },
        yAxis: { type: 'value', name: t('dash.axis.cases') },
        series: [
          { name: 'base', type: 'line', stack: 'band', data: lo95, lineStyle: { opacity: 0 }, symbol: 'none', tooltip: { show: false } },
          { name: t('dash.fc.band95'), type: 'line', stack: 'band', data: d95lo, lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color: '#dbe7f5' }, itemStyle: { color: '#dbe7f5' } },
          { name: t('dash.fc.band80'), type: 'line', stack: 'band', data: d80, lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color: '#a9c6e8' }, itemStyle: { color: '#a9c6e8' } },
          { name: 'top', type: 'line', stack: 'band', data: d95hi, lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color: '#dbe7f5' }, tooltip: { show: false } },
          { name: t('dash.fc.history'), type: 'line', data: [...hist.map((h) => h[1]), ...fx.map(() => null)], itemStyle: { color: '#133c6b' } },
          { name: t('dash.fc.point'), type: 'line', data: pad(f.forecast.map((p) => +p.point.toFixed(1))), lineStyle: { type: 'dashed' }, itemStyle: { color: '#c2410c' } },
        ],
      });
      charts.push(c2);
    } else fc.box.replaceChildren(el('p', 'muted', t('dash.noForecast')));
  }

  return {
    mount(m) {
      main = m;
      render();
      load(st.code);
    },
    relabel() {
      render();
    },
    destroy() {
      token++;
      disposeCharts();
      if (areaMap) areaMap.destroy();
      areaMap = null;
      main = null;
    },
  };
}

export const DASHBOARD_ROLES = new Set(['leader', 'admin', 'dispatcher', 'station_cadre', 'community_staff']);
