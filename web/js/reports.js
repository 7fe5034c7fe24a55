// Report queue and report page, with the triage actions: accept as a new
// incident, merge into an incident, in scope, refer (out of scope), forward to
// a partner CERT — one report or a selection (all or nothing). The new-incident
// form starts from the RSIT type the reporter gave; a bulk new incident or
// merge announces the one incident of the reply's incident_id. On the report
// page, "Find observables" lists the values extracted from the report (refanged,
// common ones unticked) and "Keep selected" links the ticked ones to it.
import {get, post} from './api.js';
import {h, replace, field, select, fmtTime, badge} from './dom.js';
import {t, label, REPORT_STATUSES, SEVERITIES} from './i18n.js';
import {state, pager, toast, can} from './state.js';
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
  // the reporter's RSIT type (bulk: when the selected reports agree on one)
  const types = [...new Set(reports.map((r) => r.rsit_type || ''))];
  const rs = await rsitPicker(types.length === 1 && types[0] ? types[0] : undefined);
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
      done(res, body.decision);
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
      h('button', {type: 'button', class: 'secondary', dataset: {decision: d}, on: {click: () => selected.size && triageDialog([...selected.values()], d, bulkDone)}}, txt)));
  // what the last bulk decision made: the one incident the reports became or joined
  const outcome = h('p', {id: 'triage-outcome', class: 'outcome', role: 'status', 'aria-live': 'polite'});
  async function bulkDone(res, decision) {
    const n = res && res.items ? res.items.length : 0;
    const id = res && res.incident_id;
    if (id) {
      const inc = await get(`/api/v1/incidents/${id}`).catch(() => null);
      const ref = inc ? `${inc.reference} — ${inc.title}` : `#${id}`;
      const text = decision === 'merge' ? t('{n} reports added to incident', {n}) : t('{n} reports became incident', {n});
      replace(outcome, `${text} `, h('a', {href: `#/incidents/${id}`}, ref));
    } else {
      outcome.textContent = '';
    }
    reload();
  }
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
    bulk, outcome,
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
      r.rsit_type ? [h('dt', t('RSIT type')), h('dd', r.rsit_type)] : null,
      r.detected_at ? [h('dt', t('Started or noticed')), h('dd', fmtTime(r.detected_at))] : null,
      r.systems_affected ? [h('dt', t('Systems affected')), h('dd', {class: 'pre'}, r.systems_affected)] : null,
      r.nis2_stage ? [h('dt', t('NIS2 stage')), h('dd', label('nis2stage', r.nis2_stage))] : null,
      h('dt', t('Suggestion')), h('dd', sug.decision ? `${label('decision', sug.decision)} — ${(sug.reasons || []).join('; ')}` : '—'),
      r.incident_id ? [h('dt', t('Incident')), h('dd', h('a', {href: `#/incidents/${r.incident_id}`}, `#${r.incident_id}`))] : null,
      r.decision ? [h('dt', t('Decision')), h('dd', `${label('decision', r.decision)} ${r.decided_by_name ? `(${r.decided_by_name}, ${fmtTime(r.decided_at)})` : ''} ${r.decision_notes || ''}`)] : null),
    state.me && (state.me.can || []).includes('report.triage') ? actions : null,
    h('h2', t('Message')),
    h('pre', {class: 'body'}, r.body || ''),
    (r.messages || []).length ? [h('h2', t('Thread')), ...(r.messages || []).map((m) => h('div', {class: 'msg'},
      h('div', {class: 'meta'}, `${m.direction || ''} ${m.from || ''} ${fmtTime(m.created_at)}`), h('pre', {class: 'body'}, m.body || '')))] : null,
    (r.attachments || []).length ? [h('h2', t('Attachments')), h('ul', (r.attachments || []).map((a) => h('li', `${a.filename} (${a.size} B) ${a.sha256 || ''}`)))] : null,
    can('report.triage') ? observablesSection(r) : null);
}

// "Find observables": the candidates of GET /reports/{id}/observables/candidates
// as a checklist (common ones unticked), "Keep selected" posts the ticked ones.
function observablesSection(r) {
  const out = h('div', {id: 'report-obs'});
  const status = h('p', {class: 'muted', role: 'status', 'aria-live': 'polite'});
  const find = h('button', {type: 'button', class: 'secondary', id: 'obs-find', on: {click: load}}, t('Find observables'));
  async function load() {
    find.disabled = true;
    status.textContent = t('Looking for observables…');
    try {
      const res = await get(`/api/v1/reports/${r.id}/observables/candidates`);
      const items = res.candidates || [];
      if (!items.length) {
        status.textContent = t('No observable found in this report.');
        replace(out);
        return;
      }
      status.textContent = t('{n} observables found: untick those not to keep.', {n: items.length}) + (res.truncated ? ` ${t('(list truncated)')}` : '');
      const boxes = items.map((c) => {
        const cb = h('input', {type: 'checkbox', checked: !c.common, dataset: {type: c.type, value: c.value}});
        return {c, cb, row: h('li', {class: 'obs-cand'}, h('label', cb, ' ',
          badge(c.type, 'obs'), ' ', h('code', {class: 'value'}, c.value),
          c.found && c.found !== c.value ? h('span', {class: 'muted found'}, ` ${t('as found: {text}', {text: c.found})}`) : null,
          c.defanged ? [' ', badge(t('defanged'), 'defanged')] : null,
          c.common ? [' ', h('span', {title: c.common_reason || ''}, badge(t('common'), 'common'))] : null))};
      });
      const err = h('p', {class: 'error', role: 'alert'});
      const keep = h('button', {type: 'submit'}, t('Keep selected'));
      replace(out, h('form', {class: 'obs-pick', on: {submit: async (e) => {
        e.preventDefault();
        err.textContent = '';
        const chosen = boxes.filter((b) => b.cb.checked).map((b) => ({type: b.c.type, value: b.c.value}));
        if (!chosen.length) { err.textContent = t('Tick at least one observable.'); return; }
        keep.disabled = true;
        try {
          const kept = await post(`/api/v1/reports/${r.id}/observables`, {observables: chosen});
          const n = (kept.items || []).length;
          toast(t('{n} observables kept.', {n}));
          replace(out, h('p', {role: 'status'}, kept.incident_id
            ? [t('{n} observables kept, also linked to incident', {n}), ' ', h('a', {href: `#/incidents/${kept.incident_id}`}, `#${kept.incident_id}`)]
            : t('{n} observables kept; they follow the report into its incident.', {n})),
          h('ul', {class: 'obs-kept'}, (kept.items || []).map((o) => h('li', badge(o.type, 'obs'), ' ', h('code', o.value), o.common ? [' ', badge(t('common'), 'common')] : null))));
          status.textContent = '';
        } catch (ex) {
          err.textContent = ex.message + (ex.field ? ` (${ex.field})` : '');
        } finally { keep.disabled = false; }
      }}}, h('fieldset', h('legend', t('Observables found in the report')), h('ul', {class: 'checklist'}, boxes.map((b) => b.row))), err,
      h('div', {class: 'actions'}, keep)));
    } catch (ex) {
      status.textContent = t('Could not load this page: {msg}', {msg: ex.message});
    } finally { find.disabled = false; }
  }
  return h('section', {id: 'obs-s', 'aria-labelledby': 'obs-h'}, h('h2', {id: 'obs-h'}, t('Observables')), find, status, out);
}
