// Incident queue (analysts) / my organisation's incidents (constituents).
import {get, patch, post} from './api.js';
import {h, replace, field, select, fmtTime, badge} from './dom.js';
import {t, label, STATUSES, SEVERITIES} from './i18n.js';
import {state, pager, toast, isStaff} from './state.js';
import {queueNav, showDialog, hideOverlay} from './keys.js';
import {incidentPicker} from './pickers.js';
import {myReportsSection} from './myreports.js';

export function mergeDialog(inc, done) {
  const target = incidentPicker(t('Merge into'), inc.id);
  const err = h('p', {class: 'error', role: 'alert'});
  showDialog(t('Merge {ref}', {ref: inc.reference}), h('form', {on: {submit: async (e) => {
    e.preventDefault();
    if (!target.value()) { err.textContent = t('Choose an incident.'); return; }
    try {
      await post(`/api/v1/incidents/${inc.id}/merge`, {into: target.value()});
      hideOverlay();
      toast(t('Merged.'));
      done(target.value());
    } catch (ex) { err.textContent = ex.message; }
  }}}, h('p', {class: 'muted'}, t('Journal, tasks and links move to the other incident; this one is closed.')), target.row, err,
  h('div', {class: 'actions'}, h('button', {type: 'submit'}, t('Merge')), h('button', {type: 'button', class: 'secondary', on: {click: hideOverlay}}, t('Cancel')))));
}

export async function incidentsView(root) {
  const staff = isStaff();
  const status = select([['open', t('Open')], ['', t('All')], ...STATUSES.map((s) => [s, label('status', s)])], 'open', {name: 'status'});
  const sev = select([['', t('All')], ...SEVERITIES.map((s) => [s, label('severity', s)])], '', {name: 'severity'});
  const q = h('input', {type: 'search', name: 'q', placeholder: t('Search incidents')});
  const tbody = h('tbody');
  const byId = new Map();
  const p = pager(async (cursor) => {
    const page = await get('/api/v1/incidents', {status: status.value, severity: sev.value, q: q.value, cursor, limit: 50});
    byId.clear();
    nav.reset();
    replace(tbody, page.items.length ? page.items.map((i) => {
      byId.set(String(i.id), i);
      return h('tr', {dataset: {id: i.id}},
        h('td', h('a', {href: `#/incidents/${i.id}`}, i.reference)),
        h('td', {class: 'subject'}, i.title),
        h('td', {class: 'opt'}, i.org_name || '—'),
        h('td', badge(label('status', i.status), i.status)),
        h('td', badge(label('severity', i.severity), i.severity)),
        h('td', {class: 'opt'}, i.type || i.taxonomy || '—'),
        h('td', {class: 'opt'}, badge(`TLP:${String(i.tlp || '').toUpperCase()}`, `tlp-${i.tlp}`)),
        staff ? h('td', {class: 'opt'}, i.assignee_id ? (i.assignee_id === state.me.user.id ? t('me') : `#${i.assignee_id}`) : '—') : null,
        h('td', {class: 'opt'}, fmtTime(i.updated_at || i.created_at)));
    }) : h('tr', h('td', {colspan: 9, class: 'muted'}, t('No incident.'))));
    return page;
  });
  const nav = queueNav(() => [...tbody.querySelectorAll('tr[data-id]')], {
    open: (row) => { location.hash = `#/incidents/${row.dataset.id}`; },
    assign: staff ? async (row) => {
      try {
        const id = row.dataset.id;
        await patch(`/api/v1/incidents/${id}`, {assignee_id: state.me.user.id});
        toast(t('Assigned to you.'));
        await p.reload();
        nav.markId(id); // the cursor stays on the incident
      } catch (ex) { toast(ex.message, 'error'); }
    } : null,
    merge: staff ? (row) => mergeDialog(byId.get(row.dataset.id), () => p.reload()) : null,
    search: () => q.focus(),
  });
  for (const el of [status, sev]) el.addEventListener('change', () => p.reset());
  let timer;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => p.reset(), 250); });
  const reports = staff ? null : myReportsSection();
  replace(root,
    h('div', {class: 'head'}, h('h1', staff ? t('Incidents') : t('My organisation\'s incidents')),
      staff ? h('p', {class: 'muted'}, t('j/k move · a assign to me · m merge · / search · ? help'))
        : h('a', {class: 'button', href: '#/report-new'}, t('Report an incident'))),
    h('div', {class: 'filters'}, field(t('Status'), status), field(t('Severity'), sev), field(t('Search'), q)),
    h('table', {class: 'list', id: 'incident-list'}, h('thead', h('tr', h('th', t('Reference')), h('th', t('Title')), h('th', {class: 'opt'}, t('Organisation')),
      h('th', t('Status')), h('th', t('Severity')), h('th', {class: 'opt'}, t('Type')), h('th', {class: 'opt'}, 'TLP'), staff ? h('th', {class: 'opt'}, t('Assignee')) : null, h('th', {class: 'opt'}, t('Updated')))), tbody),
    p.el, reports ? reports.el : null);
  await Promise.all([p.reset(), reports ? reports.load() : null]);
}
