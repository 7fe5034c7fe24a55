// Analyst dashboard. The figures are aggregated by the server
// (GET /api/v1/stats: one request, whatever the size of the store), the
// clocks due next included.
// Charts: Chart.js 3.9 from Debian's libjs-chart.js, served by the daemon
// under /ui/vendor/chart.js/.
import {get} from './api.js';
import {h, replace, field, select, fmtTime, fmtLeft, badge} from './dom.js';
import {t, label, STATUSES, SEVERITIES} from './i18n.js';

const PALETTE = ['#1f5fa8', '#d9822b', '#2e8b57', '#b03a2e', '#7d4cdb', '#0f8b8d', '#c2a800', '#5c6b7a', '#e05d9b', '#8c564b', '#17becf', '#98a2ad'];
const SEV_COLORS = {low: '#5c9bd1', medium: '#e0b000', high: '#e0702b', critical: '#b03a2e'};
const LEVEL_COLORS = {informational: '#98a2ad', low: '#5c9bd1', medium: '#e0b000', high: '#e0702b', critical: '#b03a2e'};
const CLOCKS = ['ack', 'first_advice', 'nis2_early_warning', 'nis2_notification', 'nis2_final_report'];
const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];
const RANGES = [7, 30, 90, 365];
let rangeDays = 30;

// A chart in a card; the figures are also given as text (aria-label and a
// visually hidden list) for screen readers.
function chartCard(id, title, config, summary, note) {
  const canvas = h('canvas', {id, role: 'img', 'aria-label': `${title}: ${summary || t('none')}`});
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

const summary = (pairs) => pairs.map(([k, v]) => `${k} ${v}`).join(', ');

function dueTable(dl) {
  return dl.length ? h('table', {class: 'list', id: 'deadlines'}, h('thead', h('tr', h('th', t('Incident')), h('th', t('Clock')), h('th', t('Due')), h('th', t('Left')))),
    h('tbody', dl.map((d) => h('tr', {class: d.overdue ? 'overdue' : ''},
      h('td', h('a', {href: `#/incidents/${d.incident_id}`}, `${d.reference} ${d.title || ''}`)),
      h('td', label('deadline', d.deadline)), h('td', fmtTime(d.due_at)),
      h('td', d.overdue ? badge(`${t('overdue')} ${fmtLeft(d.left_ms)}`, 'overdue') : fmtLeft(d.left_ms))))))
    : h('p', {class: 'muted'}, t('Nothing due.'));
}

export async function dashboardView(root) {
  replace(root, h('h1', t('Dashboard')), h('p', {class: 'muted'}, t('Loading…')));
  const to = new Date();
  const from = new Date(to.getTime() - (rangeDays - 1) * 86400000);
  from.setUTCHours(0, 0, 0, 0);
  const s = await get('/api/v1/stats', {from: from.toISOString().replace(/\.\d+Z$/, 'Z')});
  const alerts = s.alerts; // null: the caller may not read alerts
  const open = s.open;
  const days = s.days || [];
  const opened = days.reduce((n, d) => n + d.opened, 0);
  const closed = days.reduce((n, d) => n + d.closed, 0);
  const od = s.overdue.by_clock || {};
  const statuses = STATUSES.filter((st) => st !== 'closed' && open.by_status[st]);
  const types = open.by_type.slice(0, 10);
  const orgName = (o) => o.name || (o.org_id ? `#${o.org_id}` : t('(no organisation)'));
  const sectorName = (x) => (x.sector ? label('sector', x.sector) : t('(no sector)'));
  const overdueClocks = CLOCKS.filter((c) => od[c]);
  const period = t('{n} days', {n: days.length});

  const kpi = (n, text, cls, href) => h(href ? 'a' : 'div', {class: ['kpi', cls], href}, h('strong', String(n)), h('span', text));
  const cards = [
    chartCard('c-status', t('Open incidents by status'), {type: 'doughnut', data: {
      labels: statuses.map((st) => label('status', st)),
      datasets: [{data: statuses.map((st) => open.by_status[st]), backgroundColor: PALETTE}]}},
    summary(statuses.map((st) => [label('status', st), open.by_status[st]]))),
    chartCard('c-sev', t('Open incidents by severity'), {type: 'bar', data: {
      labels: SEVERITIES.map((v) => label('severity', v)),
      datasets: [{data: SEVERITIES.map((v) => open.by_severity[v] || 0), backgroundColor: SEVERITIES.map((v) => SEV_COLORS[v])}]},
    options: {scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}},
    summary(SEVERITIES.map((v) => [label('severity', v), open.by_severity[v] || 0]))),
    chartCard('c-type', t('Open incidents by RSIT type'), {type: 'bar', data: {
      labels: types.map((x) => x.type), datasets: [{data: types.map((x) => x.count), backgroundColor: '#1f5fa8'}]},
    options: {indexAxis: 'y', scales: {x: {beginAtZero: true, ticks: {precision: 0}}}}},
    summary(types.map((x) => [x.type, x.count]))),
    chartCard('c-time', alerts ? t('Incidents and alerts per day') : t('Incidents per day'), {type: 'line', data: {
      labels: days.map((d) => d.day.slice(5)),
      datasets: [
        {label: t('Opened'), data: days.map((d) => d.opened), borderColor: '#1f5fa8', backgroundColor: 'rgba(31,95,168,.15)', fill: true, tension: 0.25},
        {label: t('Closed'), data: days.map((d) => d.closed), borderColor: '#2e8b57', tension: 0.25},
        ...(alerts ? [{label: t('Alerts'), data: days.map((d) => d.alerts), borderColor: '#d9822b', tension: 0.25}] : [])]},
    options: {plugins: {legend: {display: true, position: 'bottom'}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}},
    summary([[t('Opened'), opened], [t('Closed'), closed], ...(alerts ? [[t('Alerts'), alerts.total]] : [])])),
    chartCard('c-overdue', t('Overdue SLA and NIS2 clocks'), {type: 'bar', data: {
      labels: CLOCKS.map((c) => label('deadline', c)), datasets: [{data: CLOCKS.map((c) => od[c] || 0), backgroundColor: '#b03a2e'}]},
    options: {scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}},
    summary(overdueClocks.map((c) => [label('deadline', c), od[c]]))),
    chartCard('c-orgs', t('Top organisations (open incidents)'), {type: 'bar', data: {
      labels: s.top_orgs.map(orgName), datasets: [{data: s.top_orgs.map((o) => o.count), backgroundColor: '#0f8b8d'}]},
    options: {indexAxis: 'y', scales: {x: {beginAtZero: true, ticks: {precision: 0}}}}},
    summary(s.top_orgs.map((o) => [orgName(o), o.count]))),
    chartCard('c-sectors', t('Top sectors (open incidents)'), {type: 'doughnut', data: {
      labels: s.top_sectors.map(sectorName), datasets: [{data: s.top_sectors.map((x) => x.count), backgroundColor: PALETTE}]}},
    summary(s.top_sectors.map((x) => [sectorName(x), x.count]))),
    alerts ? chartCard('c-alerts', t('Alerts by level'), {type: 'bar', data: {
      labels: LEVELS.map((l) => label('level', l)),
      datasets: [{data: LEVELS.map((l) => alerts.by_level[l] || 0), backgroundColor: LEVELS.map((l) => LEVEL_COLORS[l])}]},
    options: {scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}},
    summary(LEVELS.map((l) => [label('level', l), alerts.by_level[l] || 0])),
    t('By status: {s}', {s: summary(['new', 'acknowledged', 'merged'].map((st) => [label('astatus', st), alerts.by_status[st] || 0]))})) : null,
  ].filter(Boolean);
  const range = select(RANGES.map((n) => [n, t('{n} days', {n})]), rangeDays, {name: 'range', id: 'stats-range'});
  range.addEventListener('change', () => { rangeDays = Number(range.value); dashboardView(root); });
  const due = h('section', {class: 'card', 'aria-labelledby': 'due-h'}, h('h2', {id: 'due-h'}, t('Clocks due next')), dueTable(s.due_next || []));
  replace(root,
    h('div', {class: 'head'}, h('h1', t('Dashboard')), h('div', {class: 'inline'}, field(t('Period'), range))),
    h('div', {class: 'kpis', id: 'kpis'},
      kpi(open.total, t('open incidents'), '', '#/incidents'),
      kpi(open.by_severity.critical || 0, t('critical'), 'k-critical'),
      kpi(s.overdue.total, t('overdue clocks'), s.overdue.total ? 'k-overdue' : ''),
      kpi(opened, t('opened in {p}', {p: period})),
      kpi(closed, t('closed in {p}', {p: period})),
      alerts ? kpi(alerts.waiting, t('alerts to handle'), alerts.waiting ? 'k-alerts' : '', '#/alerts') : null),
    h('div', {class: 'grid'}, cards),
    due);
  // the figures and the cards paint first, the charts right after
  const draw = () => requestAnimationFrame(() => setTimeout(() => cards.forEach((c) => c.draw()), 0));
  if (window.Chart) draw(); else window.addEventListener('load', draw, {once: true});
}
