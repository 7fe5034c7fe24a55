// Alerts queue: shown only when the server has GET /api/v1/alerts (the
// detection engine's API); a minimal list until that API is settled.
import {get} from './api.js';
import {h, replace, fmtTime, badge} from './dom.js';
import {t} from './i18n.js';
import {state, pager} from './state.js';

export async function alertsView(root) {
  if (!state.alerts) { replace(root, h('p', {class: 'muted'}, t('This server has no alerts API.'))); return; }
  const tbody = h('tbody');
  const p = pager(async (cursor) => {
    const page = await get('/api/v1/alerts', {cursor, limit: 50});
    replace(tbody, (page.items || []).map((a) => h('tr', h('td', `#${a.id}`), h('td', a.title || a.rule_title || a.rule || ''),
      h('td', badge(a.status || '', a.status)), h('td', a.severity || a.level || ''), h('td', fmtTime(a.created_at || a.last_seen)))));
    return page;
  });
  replace(root, h('h1', t('Alerts')), h('table', {class: 'list'}, h('thead', h('tr', h('th', 'id'), h('th', t('Title')), h('th', t('Status')), h('th', t('Severity')), h('th', t('Time')))), tbody), p.el);
  await p.reset();
}
