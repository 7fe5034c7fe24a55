// Report queue and report page, with the triage actions: accept as a new
// incident, merge into an incident, in scope, refer (out of scope), forward to
// a partner CERT — one report or a selection (all or nothing).
import {get, post} from './api.js';
import {h, replace, field, select, fmtTime, badge} from './dom.js';
import {t, label, REPORT_STATUSES, SEVERITIES} from './i18n.js';
import {state, pager, toast} from './state.js';
import {queueNav, showDialog, hideOverlay} from './keys.js';
import {orgPicker, incidentPicker, rsitPicker} from './pickers.js';

const DECISIONS = ['new_incident', 'merge', 'in_scope', 'forward', 'refer'];

// The triage dialog for one report or several. reports: [{id, subject, org_id, suggested_decision}]
export async function triageDialog(reports, decision, done) {
  const one = reports.length === 1 ? reports[0] : null;
  const dec = select(DECISIONS.map((d) => [d, label('decision', d)]), decision || (one && one.suggested_decision) || 'new_incident', {name: 'decision'});
  const notes = h('textarea', {rows: 2, name: 'notes'});
  const title = h('input', {name: 'title', value: one ? one.subject || '' : ''});
  const sev = select(SEVERITIES.map((s) => [s, label('severity', s)]), 'medium', {name: 'severity'});
  const org = orgPicker(t('Organisation'), {}, one && one.org_id);
  const partner = orgPicker(t('Partner CERT'), {kind: 'partner_cert'});
  const inc = incidentPicker(t('Incident'));
  const rs = await rsitPicker();
  const err = h('p', {class: 'error', role: 'alert'});
  const groups = {
    new_incident: h('div', field(t('Incident title'), title), field(t('Severity'), sev), ...rs.rows, org.row),
    merge: h('div', inc.row),
    forward: h('div', partner.row),
    refer: h('div', h('p', {class: 'muted'}, t('The reporter gets the referral text (out of scope: individuals, small businesses).'))),
  };
  groups.in_scope = h('div', h('p', {class: 'muted'}, t('Keep the report as in scope without opening an incident yet.')));
  const holder = h('div');
  function show() { replace(holder, groups[dec.value]); }
  dec.addEventListener('change', show);
  show();
  const form = h('form', {class: 'triage', on: {submit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    const body = {decision: dec.value};
    if (notes.value) body.notes = notes.value;
    if (dec.value === 'new_incident') {
      const inc0 = {severity: sev.value, ...rs.value()};
      if (title.value) inc0.title = title.value;
      body.incident = inc0;
      if (org.value()) body.org_id = org.value();
    } else if (dec.value === 'merge') {
      if (!inc.value()) { err.textContent = t('Choose an incident.'); return; }
      body.incident_id = inc.value();
    } else if (dec.value === 'forward') {
      if (!partner.value()) { err.textContent = t('Choose a partner CERT.'); return; }
      body.partner_org_id = partner.value();
    }
    try {
      let res;
      if (one) res = await post(`/api/v1/reports/${one.id}/triage`, body);
      else res = await post('/api/v1/reports/triage', {...body, ids: reports.map((r) => r.id)});
      hideOverlay();
      toast(t('Decision recorded.'));
      done(res);
    } catch (ex) {
      err.textContent = ex.message + (ex.field ? ` (${ex.field})` : '');
    }
  }}},
  one ? h('p', h('strong', one.subject || '')) : h('p', t('{n} reports selected', {n: reports.length})),
  field(t('Decision'), dec), holder, field(t('Notes'), notes), err,
  h('div', {class: 'actions'}, h('button', {type: 'submit'}, t('Apply')), h('button', {type: 'button', class: 'secondary', on: {click: hideOverlay}}, t('Cancel'))));
  showDialog(one ? t('Triage report {ref}', {ref: one.reference || one.id}) : t('Triage selected reports'), form);
  if (decision === 'new_incident') title.focus();
  else if (decision === 'merge') inc.row.querySelector('input').focus();
}

export async function reportsView(root) {
  const status = select([['', t('All')], ...REPORT_STATUSES.map((s) => [s, label('rstatus', s)])], 'new', {name: 'status'});
  const q = h('input', {type: 'search', name: 'q', placeholder: t('Search reports')});
  const tbody = h('tbody');
  const selected = new Map();
  const bulkInfo = h('span', {class: 'muted'});
  const bulk = h('div', {class: 'bulk'}, bulkInfo,
    ...[['new_incident', t('New incident')], ['merge', t('Merge')], ['refer', t('Refer')], ['forward', t('Forward')]].map(([d, txt]) =>
      h('button', {type: 'button', class: 'secondary', dataset: {decision: d}, on: {click: () => selected.size && triageDialog([...selected.values()], d, reload)}}, txt)));
  function updateBulk() {
    bulkInfo.textContent = t('{n} selected', {n: selected.size});
    bulk.querySelectorAll('button').forEach((b) => { b.disabled = !selected.size; });
  }
  const rowsOf = () => [...tbody.querySelectorAll('tr[data-id]')];
  const byId = new Map();
  const p = pager(async (cursor) => {
    const page = await get('/api/v1/reports', {status: status.value, q: q.value, cursor, limit: 50});
    selected.clear();
    byId.clear();
    nav.reset();
    replace(tbody, page.items.length ? page.items.map((r) => {
      byId.set(String(r.id), r);
      const cb = h('input', {type: 'checkbox', 'aria-label': t('Select {ref}', {ref: r.reference}), on: {change: (e) => {
        if (e.target.checked) selected.set(r.id, r); else selected.delete(r.id);
        updateBulk();
      }}});
      return h('tr', {dataset: {id: r.id}},
        h('td', cb),
        h('td', h('a', {href: `#/reports/${r.id}`}, r.reference)),
        h('td', {class: 'subject'}, r.subject || '—'),
        h('td', {class: 'opt'}, (r.reporter && (r.reporter.email || r.reporter.name)) || '—'),
        h('td', badge(label('rstatus', r.status), r.status)),
        h('td', {class: 'opt'}, r.suggested_decision ? label('decision', r.suggested_decision) : '—'),
        h('td', {class: 'opt'}, fmtTime(r.created_at)));
    }) : h('tr', h('td', {colspan: 7, class: 'muted'}, t('No report.'))));
    updateBulk();
    return page;
  });
  const nav = queueNav(rowsOf, {
    open: (row) => { location.hash = `#/reports/${row.dataset.id}`; },
    assign: (row) => triageDialog([byId.get(row.dataset.id)], 'new_incident', reload),
    merge: (row) => triageDialog([byId.get(row.dataset.id)], 'merge', reload),
    search: () => q.focus(),
  });
  function reload() { p.reload(); }
  status.addEventListener('change', () => p.reset());
  let timer;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => p.reset(), 250); });
  replace(root,
    h('div', {class: 'head'}, h('h1', t('Report queue')), h('p', {class: 'muted'}, t('j/k move · x select · a accept · m merge · / search · ? help'))),
    h('div', {class: 'filters'}, field(t('Status'), status), field(t('Search'), q)),
    bulk,
    h('table', {class: 'list', id: 'report-list'}, h('thead', h('tr', h('th', h('span', {class: 'sr'}, t('Select'))), h('th', t('Reference')), h('th', t('Subject')), h('th', {class: 'opt'}, t('Reporter')), h('th', t('Status')), h('th', {class: 'opt'}, t('Suggestion')), h('th', {class: 'opt'}, t('Received')))), tbody),
    p.el);
  await p.reset();
}

export async function reportView(root, id) {
  const r = await get(`/api/v1/reports/${id}`);
  const decided = r.status !== 'new' && r.status !== 'in_scope';
  const actions = h('div', {class: 'actions'},
    ...DECISIONS.map((d) => h('button', {type: 'button', class: d === 'new_incident' ? '' : 'secondary', dataset: {decision: d}, disabled: decided,
      on: {click: () => triageDialog([r], d, (res) => {
        const inc = res && res.incident_id;
        if (inc) location.hash = `#/incidents/${inc}`; else reportView(root, id);
      })}}, label('decision', d))));
  const sug = r.suggestion || {};
  replace(root,
    h('p', h('a', {href: '#/reports'}, `← ${t('Report queue')}`)),
    h('h1', {class: 'title'}, h('span', {class: 'ref'}, r.reference), ' ', r.subject || '—'),
    h('dl', {class: 'facts'},
      h('dt', t('Status')), h('dd', badge(label('rstatus', r.status), r.status)),
      h('dt', t('Source')), h('dd', r.source),
      h('dt', t('Reporter')), h('dd', `${(r.reporter && r.reporter.name) || ''} ${(r.reporter && r.reporter.email) || ''}`.trim() || '—'),
      h('dt', t('Received')), h('dd', fmtTime(r.created_at)),
      h('dt', t('Suggestion')), h('dd', sug.decision ? `${label('decision', sug.decision)} — ${(sug.reasons || []).join('; ')}` : '—'),
      r.incident_id ? [h('dt', t('Incident')), h('dd', h('a', {href: `#/incidents/${r.incident_id}`}, `#${r.incident_id}`))] : null,
      r.decision ? [h('dt', t('Decision')), h('dd', `${label('decision', r.decision)} ${r.decided_by_name ? `(${r.decided_by_name}, ${fmtTime(r.decided_at)})` : ''} ${r.decision_notes || ''}`)] : null),
    state.me && (state.me.can || []).includes('report.triage') ? actions : null,
    h('h2', t('Message')),
    h('pre', {class: 'body'}, r.body || ''),
    (r.messages || []).length ? [h('h2', t('Thread')), ...(r.messages || []).map((m) => h('div', {class: 'msg'},
      h('div', {class: 'meta'}, `${m.direction || ''} ${m.from || ''} ${fmtTime(m.created_at)}`), h('pre', {class: 'body'}, m.body || '')))] : null,
    (r.attachments || []).length ? [h('h2', t('Attachments')), h('ul', (r.attachments || []).map((a) => h('li', `${a.filename} (${a.size} B) ${a.sha256 || ''}`)))] : null);
}
