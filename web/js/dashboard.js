// Analyst dashboard. The API has no aggregate endpoint yet, so the figures
// are computed in the browser from the paged lists, reading at most
// MAX_PAGES pages of 500 (the page says when the sample is partial); the
// deadlines come from GET /api/v1/deadlines. Charts: Chart.js 3.9 from
// Debian's libjs-chart.js, served by the daemon under /ui/vendor/chart.js/.
import {get, collect} from './api.js';
import {h, replace, fmtTime, fmtLeft, badge} from './dom.js';
import {t, label, STATUSES, SEVERITIES} from './i18n.js';
import {state} from './state.js';

const MAX_PAGES = 4;
const PALETTE = ['#1f5fa8', '#d9822b', '#2e8b57', '#b03a2e', '#7d4cdb', '#0f8b8d', '#c2a800', '#5c6b7a', '#e05d9b', '#8c564b', '#17becf', '#98a2ad'];
const SEV_COLORS = {low: '#5c9bd1', medium: '#e0b000', high: '#e0702b', critical: '#b03a2e'};

function count(items, key) {
  const m = new Map();
  for (const it of items) {
    const k = typeof key === 'function' ? key(it) : it[key];
    if (k === undefined || k === null || k === '') continue;
    m.set(k, (m.get(k) || 0) + 1);
  }
  return m;
}

function top(m, n) {
  return [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function chartCard(id, title, config, note) {
  const canvas = h('canvas', {id, role: 'img', 'aria-label': title});
  const card = h('section', {class: 'card chart-card', 'aria-labelledby': `${id}-h`}, h('h2', {id: `${id}-h`}, title), h('div', {class: 'chart'}, canvas),
    note ? h('p', {class: 'muted small'}, note) : null);
  card.draw = () => {
    if (!window.Chart) { canvas.replaceWith(h('p', {class: 'muted'}, t('Chart.js is not available (install libjs-chart.js).'))); return; }
    config.options = Object.assign({responsive: true, maintainAspectRatio: false, animation: false,
      plugins: {legend: {display: config.type === 'doughnut', position: 'right'}}}, config.options || {});
    // eslint-disable-next-line no-new
    new window.Chart(canvas.getContext('2d'), config);
  };
  return card;
}

function dayKey(d) { return d.toISOString().slice(0, 10); }

export async function dashboardView(root) {
  replace(root, h('h1', t('Dashboard')), h('p', {class: 'muted'}, t('Loading…')));
  const since = new Date(Date.now() - 29 * 86400000);
  since.setUTCHours(0, 0, 0, 0);
  const [open, recent, deadlines, orgs, alerts] = await Promise.all([
    collect('/api/v1/incidents', {status: 'open'}, MAX_PAGES),
    collect('/api/v1/incidents', {created_from: since.toISOString().replace(/\.\d+Z$/, 'Z')}, MAX_PAGES),
    get('/api/v1/deadlines', {limit: 200}).catch(() => ({items: []})),
    collect('/api/v1/orgs', {}, MAX_PAGES).catch(() => ({items: [], complete: false})),
    state.alerts ? collect('/api/v1/alerts', {created_from: since.toISOString().replace(/\.\d+Z$/, 'Z')}, MAX_PAGES).catch(() => null) : null,
  ]);
  const partial = !open.complete || !recent.complete;
  const byStatus = count(open.items, 'status');
  const bySev = count(open.items, 'severity');
  const byType = count(open.items, (i) => i.type || i.taxonomy);
  const sectorOf = new Map(orgs.items.map((o) => [o.id, o.sector || t('(no sector)')]));
  const byOrg = count(open.items, 'org_name');
  const bySector = count(open.items, (i) => (i.org_id ? sectorOf.get(i.org_id) || t('(unknown)') : null));
  const days = [];
  for (let d = new Date(since); d <= new Date(); d = new Date(d.getTime() + 86400000)) days.push(dayKey(d));
  const perDay = count(recent.items, (i) => (i.created_at || '').slice(0, 10));
  const alertsPerDay = alerts ? count(alerts.items, (a) => (a.created_at || a.last_seen || '').slice(0, 10)) : null;
  const dl = deadlines.items || [];
  const overdue = dl.filter((d) => d.overdue);
  const overdueByName = count(overdue, 'deadline');

  const kpi = (n, text, cls) => h('div', {class: ['kpi', cls]}, h('strong', String(n)), h('span', text));
  const note = partial ? t('Computed in the browser from the first {n} incidents (no aggregate API yet).', {n: MAX_PAGES * 500}) : t('Computed in the browser from the incident lists.');
  const cards = [
    chartCard('c-status', t('Open incidents by status'), {type: 'doughnut', data: {
      labels: STATUSES.filter((s) => byStatus.has(s)).map((s) => label('status', s)),
      datasets: [{data: STATUSES.filter((s) => byStatus.has(s)).map((s) => byStatus.get(s)), backgroundColor: PALETTE}]}}),
    chartCard('c-sev', t('Open incidents by severity'), {type: 'bar', data: {
      labels: SEVERITIES.map((s) => label('severity', s)),
      datasets: [{data: SEVERITIES.map((s) => bySev.get(s) || 0), backgroundColor: SEVERITIES.map((s) => SEV_COLORS[s])}]},
      options: {scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}}),
    chartCard('c-type', t('Open incidents by RSIT type'), {type: 'bar', data: {
      labels: top(byType, 10).map(([k]) => k), datasets: [{data: top(byType, 10).map(([, v]) => v), backgroundColor: '#1f5fa8'}]},
      options: {indexAxis: 'y', scales: {x: {beginAtZero: true, ticks: {precision: 0}}}}}),
    chartCard('c-time', alertsPerDay ? t('Incidents and alerts over 30 days') : t('New incidents over 30 days'), {type: 'line', data: {
      labels: days.map((d) => d.slice(5)),
      datasets: [{label: t('Incidents'), data: days.map((d) => perDay.get(d) || 0), borderColor: '#1f5fa8', backgroundColor: 'rgba(31,95,168,.15)', fill: true, tension: 0.25},
        ...(alertsPerDay ? [{label: t('Alerts'), data: days.map((d) => alertsPerDay.get(d) || 0), borderColor: '#d9822b', tension: 0.25}] : [])]},
      options: {plugins: {legend: {display: !!alertsPerDay}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}},
      alertsPerDay ? null : t('No alerts API on this server: alerts are not shown.')),
    chartCard('c-overdue', t('Overdue SLA and NIS2 clocks'), {type: 'bar', data: {
      labels: [...overdueByName.keys()].map((k) => label('deadline', k)), datasets: [{data: [...overdueByName.values()], backgroundColor: '#b03a2e'}]},
      options: {scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}}),
    chartCard('c-orgs', t('Top organisations (open incidents)'), {type: 'bar', data: {
      labels: top(byOrg, 8).map(([k]) => k), datasets: [{data: top(byOrg, 8).map(([, v]) => v), backgroundColor: '#0f8b8d'}]},
      options: {indexAxis: 'y', scales: {x: {beginAtZero: true, ticks: {precision: 0}}}}}),
    chartCard('c-sectors', t('Top sectors (open incidents)'), {type: 'doughnut', data: {
      labels: top(bySector, 8).map(([k]) => label('sector', k)), datasets: [{data: top(bySector, 8).map(([, v]) => v), backgroundColor: PALETTE}]}}),
  ];
  replace(root,
    h('div', {class: 'head'}, h('h1', t('Dashboard')), h('p', {class: 'muted small'}, note)),
    h('div', {class: 'kpis'},
      kpi(open.items.length + (open.complete ? '' : '+'), t('open incidents')),
      kpi(bySev.get('critical') || 0, t('critical'), 'k-critical'),
      kpi(overdue.length, t('overdue clocks'), overdue.length ? 'k-overdue' : ''),
      kpi(recent.items.length + (recent.complete ? '' : '+'), t('new in 30 days'))),
    h('div', {class: 'grid'}, cards),
    h('section', {class: 'card', 'aria-labelledby': 'due-h'}, h('h2', {id: 'due-h'}, t('Clocks due next')),
      dl.length ? h('table', {class: 'list', id: 'deadlines'}, h('thead', h('tr', h('th', t('Incident')), h('th', t('Clock')), h('th', t('Due')), h('th', t('Left')))),
        h('tbody', dl.slice(0, 15).map((d) => h('tr', {class: d.overdue ? 'overdue' : ''},
          h('td', h('a', {href: `#/incidents/${d.incident_id}`}, `${d.reference} ${d.title || ''}`)),
          h('td', label('deadline', d.deadline)), h('td', fmtTime(d.due_at)),
          h('td', d.overdue ? badge(`${t('overdue')} ${fmtLeft(d.left_ms)}`, 'overdue') : fmtLeft(d.left_ms))))))
        : h('p', {class: 'muted'}, t('Nothing due.'))));
  const draw = () => cards.forEach((c) => c.draw());
  if (window.Chart) draw(); else window.addEventListener('load', draw, {once: true});
}
