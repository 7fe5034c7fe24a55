// Constituent: "my reports": the reports of the user's organisation
// (GET /api/v1/reports is scoped to it by the server), with their status and
// the incident each one became.
import {get} from './api.js';
import {h, replace, fmtTime, badge} from './dom.js';
import {t, label} from './i18n.js';
import {pager} from './state.js';

export function myReportsSection() {
  const tbody = h('tbody');
  const p = pager(async (cursor) => {
    const page = await get('/api/v1/reports', {cursor, limit: 20});
    replace(tbody, page.items.length ? page.items.map((r) => h('tr', {dataset: {id: r.id}},
      h('td', r.reference),
      h('td', {class: 'subject'}, r.subject || '—'),
      h('td', badge(label('rstatus', r.status), r.status)),
      h('td', r.incident_id ? h('a', {href: `#/incidents/${r.incident_id}`}, t('Incident #{id}', {id: r.incident_id})) : h('span', {class: 'muted'}, t(`rhelp:${r.status}`))),
      h('td', {class: 'opt'}, fmtTime(r.created_at)))) : h('tr', h('td', {colspan: 5, class: 'muted'}, t('No report yet.'))));
    return page;
  });
  const el = h('section', {class: 'card', id: 'my-reports', 'aria-labelledby': 'my-reports-h'}, h('h2', {id: 'my-reports-h'}, t('My organisation\'s reports')),
    h('table', {class: 'list', id: 'report-status-list'}, h('thead', h('tr', h('th', t('Reference')), h('th', t('Subject')), h('th', t('Status')),
      h('th', t('Incident')), h('th', {class: 'opt'}, t('Received')))), tbody), p.el);
  return {el, load: () => p.reset()};
}

export async function myReportsView(root) {
  const s = myReportsSection();
  replace(root, h('div', {class: 'head'}, h('h1', t('My reports')), h('a', {class: 'button', href: '#/report-new'}, t('Report an incident'))), s.el);
  await s.load();
}
