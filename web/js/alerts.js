// Alerts queue (#/alerts) and alert page (#/alerts/ID): the hits `vigie detect`
// writes (Sigma rules and indicator sets), filtered and paged on the server
// (GET /api/v1/alerts), acknowledged one by one or in bulk
// (POST /alerts/{id}/ack, POST /alerts/ack) and merged into an existing or a
// new incident (POST /alerts/{id}/merge, one alert per request).
import {api, get, post} from './api.js';
import {h, replace, field, select, fmtTime, badge} from './dom.js';
import {t, label, SEVERITIES} from './i18n.js';
import {state, pager, toast, can, isStaff} from './state.js';
import {queueNav, showDialog, hideOverlay} from './keys.js';
import {orgPicker, incidentPicker, rsitPicker, staffUsers, userName} from './pickers.js';

export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];
export const ASTATUSES = ['new', 'acknowledged', 'merged'];
const RANGES = [['', 'Any time'], ['1h', 'Last hour'], ['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days'], ['custom', 'Between…']];
const RANGE_MS = {'1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3};

// RFC 3339 without milliseconds (what the API parses)
const rfc = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
// datetime-local value (local time) -> RFC 3339 in UTC, '' when empty or invalid
function fromLocal(v) {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? '' : rfc(d);
}
function toLocal(s) {
  const d = new Date(s);
  if (!s || Number.isNaN(d.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// Organisation names, fetched once per page life (alerts carry org_id only).
const orgNames = new Map();
function orgName(id) {
  if (!orgNames.has(id)) orgNames.set(id, get(`/api/v1/orgs/${id}`).then((o) => o.name).catch(() => null));
  return orgNames.get(id);
}
function orgCell(id) {
  if (!id) return h('span', {class: 'muted', title: t('No organisation matched in the registry')}, '—');
  const a = h('a', {href: `#/registry/${id}`, class: 'org'}, `#${id}`);
  orgName(id).then((n) => { if (n) a.textContent = n; });
  return a;
}

// "attack.t1059.001" -> "T1059.001", "attack.execution" -> "execution"
export function tagText(tag) {
  const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(tag);
  if (m) return m[1].toUpperCase();
  return String(tag).replace(/^attack\./i, '');
}
function tagList(tags, attrs = {}) {
  if (!tags || !tags.length) return h('span', {class: 'muted'}, '—');
  return h('ul', {class: 'tags', ...attrs}, tags.map((tg) => h('li', {title: tg}, tagText(tg))));
}

const isIoc = (a) => String(a.rule_id || '').startsWith('ioc:');
const levelBadge = (a) => badge(label('level', a.severity), a.severity);

// Alert severity -> the incident severity proposed for a new incident.
const INC_SEV = {informational: 'low', low: 'low', medium: 'medium', high: 'high', critical: 'critical'};

// Merge one alert or several into an incident: an existing one (the incident
// picker) or a new one created from the first alert (the API's new_incident);
// the API merges one alert per request, so a selection is sent in turn.
export async function alertMergeDialog(alerts, mode, done) {
  const one = alerts.length === 1 ? alerts[0] : null;
  const first = alerts[0];
  const name = `alert-merge-${Math.random().toString(36).slice(2)}`;
  const radio = (v, text) => h('label', {class: 'check'}, h('input', {type: 'radio', name, value: v, checked: mode === v}), text);
  const modes = h('fieldset', {class: 'modes'}, h('legend', t('Into')), radio('existing', t('An existing incident')), ' ', radio('new', t('A new incident')));
  const inc = incidentPicker(t('Incident'));
  const title = h('input', {name: 'title', value: first.title || ''});
  const sev = select(SEVERITIES.map((s) => [s, label('severity', s)]), INC_SEV[first.severity] || 'medium', {name: 'severity'});
  const rs = await rsitPicker();
  const org = orgPicker(t('Organisation'), {}, first.org_id || null);
  const note = h('textarea', {rows: 2, name: 'note'});
  const err = h('p', {class: 'error', role: 'alert'});
  const groups = {
    existing: h('div', inc.row),
    new: h('div', field(t('Incident title'), title), field(t('Severity'), sev), ...rs.rows, org.row),
  };
  const holder = h('div');
  const current = () => (modes.querySelector('input:checked') || {}).value || 'existing';
  const show = () => replace(holder, groups[current()]);
  modes.addEventListener('change', show);
  show();
  const submit = h('button', {type: 'submit'}, t('Merge'));
  const form = h('form', {class: 'alert-merge', on: {submit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    let target = null;
    let body;
    if (current() === 'existing') {
      target = inc.value();
      if (!target) { err.textContent = t('Choose an incident.'); return; }
      body = {incident_id: target};
    } else {
      if (!title.value.trim()) { err.textContent = t('Give the incident a title.'); title.focus(); return; }
      const ni = {title: title.value.trim(), severity: sev.value, ...rs.value()};
      if (org.value()) ni.org_id = org.value();
      body = {new_incident: ni};
    }
    if (note.value.trim()) body.note = note.value.trim();
    submit.disabled = true;
    const failed = [];
    let merged = 0;
    for (const a of alerts) {
      try {
        const res = await post(`/api/v1/alerts/${a.id}/merge`, body);
        merged++;
        // the other alerts of the selection go into the incident just created
        if (!target) { target = res.incident_id; body = {incident_id: target, ...(body.note ? {note: body.note} : {})}; }
      } catch (ex) {
        failed.push(`#${a.id}: ${ex.message}${ex.field ? ` (${ex.field})` : ''}`);
        if (!target) break; // the incident could not be created: stop there
      }
    }
    submit.disabled = false;
    if (failed.length) {
      err.textContent = (merged ? t('{n} merged; not merged:', {n: merged}) + ' ' : '') + failed.join('; ');
      if (merged) done(target);
      return;
    }
    hideOverlay();
    toast(t('{n} alert(s) merged into incident #{id}.', {n: merged, id: target}));
    done(target);
  }}},
  one ? h('p', h('strong', `#${one.id} `, one.title || '')) : h('p', t('{n} alerts selected', {n: alerts.length})),
  h('p', {class: 'muted'}, t('The alert\'s observables are linked to the incident and its journal records the merge.')),
  modes, holder, field(t('Note'), note), err,
  h('div', {class: 'actions'}, submit, h('button', {type: 'button', class: 'secondary', on: {click: hideOverlay}}, t('Cancel'))));
  showDialog(one ? t('Merge alert #{id}', {id: one.id}) : t('Merge the selected alerts'), form);
  if (mode === 'new') title.focus(); else inc.row.querySelector('input').focus();
}

// Acknowledge alerts: one through its own route, several in one request.
async function acknowledge(ids) {
  if (ids.length === 1) {
    await api('POST', `/api/v1/alerts/${ids[0]}/ack`); // the route takes no body
    return {acknowledged: ids, skipped: 0};
  }
  return post('/api/v1/alerts/ack', {ids});
}

function ackToast(res) {
  const n = (res.acknowledged || []).length;
  toast(res.skipped ? t('{n} acknowledged, {s} already handled.', {n, s: res.skipped}) : t('{n} acknowledged.', {n}));
}

export async function alertsView(root) {
  if (!state.alerts) { replace(root, h('p', {class: 'muted'}, t('This server has no alerts API.'))); return; }
  const writer = can('alert.write');
  const params = new URLSearchParams((location.hash.split('?')[1]) || '');
  const status = select([['', t('All')], ...ASTATUSES.map((s) => [s, label('astatus', s)])], params.has('status') ? params.get('status') : 'new', {name: 'status', id: 'alert-status'});
  const level = select([['', t('All')], ...LEVELS.map((l) => [l, label('level', l)])], params.get('severity') || '', {name: 'severity', id: 'alert-level'});
  const rule = h('input', {type: 'search', name: 'rule', id: 'alert-rule', placeholder: t('Rule id'), value: params.get('rule') || '', list: 'alert-rules'});
  const rules = h('datalist', {id: 'alert-rules'});
  const range = select(RANGES.map(([v, txt]) => [v, t(txt)]), params.get('range') || (params.get('since') ? 'custom' : ''), {name: 'range', id: 'alert-range'});
  const since = h('input', {type: 'datetime-local', name: 'since', value: toLocal(params.get('since'))});
  const until = h('input', {type: 'datetime-local', name: 'until', value: toLocal(params.get('until'))});
  const custom = h('div', {class: 'filters custom-range'}, field(t('Last seen from'), since), field(t('Last seen before'), until));
  const q = h('input', {type: 'search', name: 'q', id: 'alert-q', placeholder: t('Words of the title'), value: params.get('q') || ''});
  // constituents see their own organisation's alerts only: no organisation filter
  const org = isStaff() ? orgPicker(t('Organisation'), {}, params.get('org_id') ? Number(params.get('org_id')) : null) : {row: null, value: () => null, select: h('select')};
  const counts = h('p', {class: 'counts muted', id: 'alert-counts', 'aria-live': 'polite'});
  const tbody = h('tbody');
  const selected = new Map();
  const byId = new Map();
  const bulkInfo = h('span', {class: 'muted'});
  const ackB = h('button', {type: 'button', id: 'alerts-ack', on: {click: () => bulkAck()}}, t('Acknowledge'));
  const mergeB = h('button', {type: 'button', class: 'secondary', id: 'alerts-merge', on: {click: () => selected.size && alertMergeDialog([...selected.values()], 'existing', refresh)}}, t('Merge into an incident…'));
  const newB = h('button', {type: 'button', class: 'secondary', id: 'alerts-new-incident', on: {click: () => selected.size && alertMergeDialog([...selected.values()], 'new', refresh)}}, t('New incident from alerts…'));
  const all = h('input', {type: 'checkbox', 'aria-label': t('Select all on this page'), on: {change: (e) => {
    const on = e.target.checked;
    for (const row of tbody.querySelectorAll('tr[data-id]')) {
      const cb = row.querySelector('input[type=checkbox]');
      if (cb) cb.checked = on;
      if (on) selected.set(Number(row.dataset.id), byId.get(row.dataset.id)); else selected.delete(Number(row.dataset.id));
    }
    updateBulk();
  }}});
  const bulk = h('div', {class: 'bulk'}, bulkInfo, writer ? [ackB, mergeB, newB] : null);
  function updateBulk() {
    bulkInfo.textContent = t('{n} selected', {n: selected.size});
    for (const b of [ackB, mergeB, newB]) b.disabled = !selected.size;
    const boxes = tbody.querySelectorAll('input[type=checkbox]');
    all.checked = boxes.length > 0 && selected.size === boxes.length;
  }

  function filters() {
    const f = {status: status.value, severity: level.value, rule: rule.value.trim(), q: q.value.trim(), org_id: org.value() || ''};
    if (range.value === 'custom') {
      f.since = fromLocal(since.value);
      f.until = fromLocal(until.value);
    } else if (RANGE_MS[range.value]) {
      f.since = rfc(new Date(Date.now() - RANGE_MS[range.value]));
    }
    return f;
  }
  // keep the filters in the address (a link or a reload shows the same queue)
  function remember() {
    const f = filters();
    const u = new URLSearchParams();
    if (f.status !== 'new') u.set('status', f.status); // 'new' is the default
    for (const k of ['severity', 'rule', 'q', 'org_id']) if (f[k] !== '') u.set(k, f[k]);
    if (range.value && range.value !== 'custom') u.set('range', range.value);
    if (range.value === 'custom') { if (f.since) u.set('since', f.since); if (f.until) u.set('until', f.until); }
    const s = u.toString();
    history.replaceState(null, '', `#/alerts${s ? `?${s}` : ''}`);
  }

  const shown = h('span', {id: 'alert-shown'});
  let loadSeq = 0;
  let latest = null;
  const p = pager(async (cursor) => {
    const my = ++loadSeq;
    const req = get('/api/v1/alerts', {...filters(), cursor, limit: 50});
    latest = req;
    const page = await req;
    if (my !== loadSeq) return latest; // filters changed meanwhile: the newer request's page wins
    selected.clear();
    byId.clear();
    nav.reset();
    const seen = new Set([...rules.querySelectorAll('option')].map((o) => o.value));
    replace(tbody, page.items.length ? page.items.map((a) => {
      byId.set(String(a.id), a);
      if (!seen.has(a.rule_id)) { seen.add(a.rule_id); rules.appendChild(h('option', {value: a.rule_id}, a.title)); }
      const cb = h('input', {type: 'checkbox', 'aria-label': t('Select alert #{id}', {id: a.id}), on: {change: (e) => {
        if (e.target.checked) selected.set(a.id, a); else selected.delete(a.id);
        updateBulk();
      }}});
      return h('tr', {dataset: {id: a.id, status: a.status}},
        writer ? h('td', cb) : null,
        h('td', h('a', {href: `#/alerts/${a.id}`}, `#${a.id}`)),
        h('td', levelBadge(a)),
        h('td', {class: 'subject'}, h('div', {class: 'atitle'}, a.title || '—'),
          h('button', {type: 'button', class: 'link rule mono', title: t('Only this rule'), tabindex: '-1', on: {click: () => { rule.value = a.rule_id; changed(); }}}, a.rule_id)),
        h('td', {class: 'opt'}, tagList(a.tags)),
        h('td', {class: 'opt'}, orgCell(a.org_id)),
        h('td', {class: 'num opt', title: t('First seen {t}', {t: fmtTime(a.first_seen)})}, String(a.count)),
        h('td', {class: 'opt nowrap'}, fmtTime(a.last_seen)),
        h('td', badge(label('astatus', a.status), `a-${a.status}`), a.incident_id ? [' ', h('a', {href: `#/incidents/${a.incident_id}`}, `→ #${a.incident_id}`)] : null));
    }) : h('tr', h('td', {colspan: 9, class: 'muted'}, t('No alert.'))));
    shown.textContent = t('{n} on this page', {n: page.items.length}) + (page.next_cursor ? ` · ${t('more on the next pages')}` : '');
    updateBulk();
    return page;
  });

  // Counts: one aggregate request (no list read to count): the alerts still
  // new, and those created in the last 30 days by status and level.
  async function loadCounts() {
    const s = await get('/api/v1/stats').catch(() => null);
    const a = s && s.alerts;
    if (!a) { replace(counts, shown); return; }
    const chip = (st, n) => h('button', {type: 'button', class: 'link', dataset: {status: st}, on: {click: () => { status.value = st; changed(); }}}, `${label('astatus', st)} ${n}`);
    replace(counts, h('strong', {dataset: {waiting: a.waiting}}, t('{n} waiting', {n: a.waiting})), ' · ',
      t('last 30 days:'), ' ', ASTATUSES.map((st, i) => [i ? ' · ' : '', chip(st, a.by_status[st] || 0)]), ' · ',
      LEVELS.filter((l) => a.by_level[l]).map((l) => `${label('level', l)} ${a.by_level[l]}`).join(', ') || t('none'),
      ' — ', shown);
  }

  function refresh() { p.reload(); loadCounts(); }
  async function bulkAck() {
    if (!selected.size) return;
    try {
      ackToast(await acknowledge([...selected.keys()]));
    } catch (ex) { toast(ex.message + (ex.field ? ` (${ex.field})` : ''), 'error'); }
    await p.reload();
    loadCounts();
  }
  async function ackRow(row) {
    const a = byId.get(row.dataset.id);
    if (!a || !writer) return;
    if (a.status !== 'new') { toast(t('Alert #{id} is already {s}.', {id: a.id, s: label('astatus', a.status)}), 'warn'); return; }
    try {
      ackToast(await acknowledge([a.id]));
    } catch (ex) { toast(ex.message, 'error'); return; }
    const idx = [...tbody.querySelectorAll('tr[data-id]')].indexOf(row);
    await p.reload();
    loadCounts();
    // stay where we were in the queue
    const keys = state.keys;
    if (keys && keys.next) for (let i = 0; i <= Math.min(idx, tbody.querySelectorAll('tr[data-id]').length - 1); i++) keys.next();
  }

  const nav = queueNav(() => [...tbody.querySelectorAll('tr[data-id]')], {
    open: (row) => { location.hash = `#/alerts/${row.dataset.id}`; },
    assign: writer ? ackRow : null,
    merge: writer ? (row) => {
      const a = byId.get(row.dataset.id);
      if (a.status === 'merged') { toast(t('Alert #{id} is already {s}.', {id: a.id, s: label('astatus', a.status)}), 'warn'); return; }
      alertMergeDialog([a], 'existing', refresh);
    } : null,
    search: () => q.focus(),
  });

  function changed() {
    custom.hidden = range.value !== 'custom';
    remember();
    p.reset();
  }
  for (const el of [status, level, range, since, until, org.select]) el.addEventListener('change', changed);
  let timer;
  for (const el of [q, rule]) el.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(changed, 250); });
  custom.hidden = range.value !== 'custom';
  replace(root,
    h('div', {class: 'head'}, h('h1', t('Alerts')), h('p', {class: 'muted'}, t('j/k move · x select · a acknowledge · m merge · / search · ? help'))),
    h('form', {class: 'filters', role: 'search', 'aria-label': t('Filter alerts'), on: {submit: (e) => { e.preventDefault(); changed(); }}},
      field(t('Status'), status), field(t('Level'), level), org.row, field(t('Rule'), rule), rules, field(t('Last seen'), range), field(t('Search'), q)),
    custom,
    counts,
    bulk,
    h('table', {class: 'list', id: 'alert-list'}, h('thead', h('tr',
      writer ? h('th', all) : null, h('th', 'id'), h('th', t('Level')), h('th', t('Title')), h('th', {class: 'opt'}, t('ATT&CK')),
      h('th', {class: 'opt'}, t('Organisation')), h('th', {class: 'num opt'}, t('Count')), h('th', {class: 'opt'}, t('Last seen')), h('th', t('Status')))), tbody),
    p.el);
  replace(counts, shown);
  await p.reset();
  loadCounts();
}

// One alert: what matched, where, how often, the event, and the actions.
export async function alertView(root, id) {
  const a = await get(`/api/v1/alerts/${id}`);
  const writer = can('alert.write');
  const reload = () => alertView(root, id);
  const ack = async () => {
    if (a.status !== 'new') return;
    try {
      await api('POST', `/api/v1/alerts/${a.id}/ack`);
      toast(t('{n} acknowledged.', {n: 1}));
    } catch (ex) { toast(ex.message, 'error'); }
    reload();
  };
  const merge = (mode) => { if (a.status !== 'merged') alertMergeDialog([a], mode, (inc) => { if (inc) location.hash = `#/incidents/${inc}`; else reload(); }); };
  const actions = writer ? h('div', {class: 'actions'},
    h('button', {type: 'button', id: 'alert-ack', disabled: a.status !== 'new', on: {click: ack}}, t('Acknowledge')),
    h('button', {type: 'button', class: 'secondary', id: 'alert-merge', disabled: a.status === 'merged', on: {click: () => merge('existing')}}, t('Merge into an incident…')),
    h('button', {type: 'button', class: 'secondary', id: 'alert-new-incident', disabled: a.status === 'merged', on: {click: () => merge('new')}}, t('New incident from this alert…'))) : null;
  const ioc = isIoc(a);
  const hits = (a.matched || []).filter((m) => m && m.indicator !== undefined);
  let ackBy = null;
  if (a.acknowledged_by) {
    ackBy = h('span', `#${a.acknowledged_by}`);
    staffUsers().then(() => { ackBy.textContent = userName(a.acknowledged_by); }).catch(() => {});
  }
  const event = a.event || {};
  replace(root,
    h('p', h('a', {href: '#/alerts'}, `← ${t('Alerts')}`)),
    h('h1', {class: 'title'}, h('span', {class: 'ref'}, `#${a.id}`), ' ', a.title || '—', ' ', levelBadge(a), ' ', badge(label('astatus', a.status), `a-${a.status}`)),
    actions,
    h('div', {class: 'columns'},
      h('div',
        h('div', {class: 'card'}, h('h2', ioc ? t('Indicator') : t('Rule')),
          h('dl', {class: 'facts', id: 'alert-facts'},
            h('dt', ioc ? t('Indicator source') : t('Rule id')), h('dd', h('a', {class: 'mono', href: `#/alerts?status=&rule=${encodeURIComponent(a.rule_id)}`, title: t('Alerts of this rule')}, a.rule_id)),
            h('dt', t('Title')), h('dd', a.title || '—'),
            h('dt', t('Level')), h('dd', levelBadge(a), a.level ? null : [' ', h('span', {class: 'muted'}, t('(none in the rule)'))]),
            h('dt', t('Author')), h('dd', {id: 'alert-author'}, a.author || '—'),
            h('dt', t('ATT&CK')), h('dd', tagList(a.tags, {id: 'alert-tags'})))),
        hits.length ? h('div', {class: 'card', id: 'alert-ioc'}, h('h2', t('Indicator hit')),
          hits.map((m) => h('dl', {class: 'facts'},
            h('dt', t('Indicator')), h('dd', h('code', m.indicator || '')),
            h('dt', t('Type')), h('dd', m.type || '—'),
            h('dt', t('Source')), h('dd', m.source === 'platform' ? t('the platform\'s observables') : (m.source || '—')),
            m.ref ? [h('dt', t('Reference')), h('dd', h('code', m.ref))] : null,
            m.observable_id ? [h('dt', t('Observable')), h('dd', h('a', {href: `#/search?q=${encodeURIComponent(m.indicator || '')}`}, `#${m.observable_id}`))] : null,
            h('dt', t('Event field')), h('dd', h('code', m.field || '—')),
            h('dt', t('Value')), h('dd', h('code', m.value || '—'))))) : null,
        h('div', {class: 'card'}, h('h2', t('Matched fields')),
          (a.matched || []).length ? h('table', {class: 'list', id: 'alert-matched'}, h('thead', h('tr', h('th', t('Field')), h('th', t('Value')))),
            h('tbody', (a.matched || []).map((m) => h('tr', h('td', h('code', m.field || '')), h('td', {class: 'subject'}, h('code', m.value || ''))))))
            : h('p', {class: 'muted'}, t('No field recorded.'))),
        h('div', {class: 'card'}, h('h2', t('Event')),
          event.truncated ? h('p', {class: 'muted'}, t('The event was too large: only the matched fields were kept.')) : null,
          h('pre', {class: 'body mono event', id: 'alert-event'}, JSON.stringify(event, null, 2)))),
      h('div',
        h('div', {class: 'card'}, h('h2', t('Where and when')),
          h('dl', {class: 'facts', id: 'alert-when'},
            h('dt', t('Organisation')), h('dd', orgCell(a.org_id)),
            h('dt', t('Count')), h('dd', {id: 'alert-count'}, String(a.count)),
            h('dt', t('First seen')), h('dd', fmtTime(a.first_seen)),
            h('dt', t('Last seen')), h('dd', fmtTime(a.last_seen)),
            h('dt', t('Status')), h('dd', badge(label('astatus', a.status), `a-${a.status}`)),
            a.acknowledged_at ? [h('dt', t('Acknowledged')), h('dd', ackBy || '—', ', ', fmtTime(a.acknowledged_at))] : null,
            a.incident_id ? [h('dt', t('Incident')), h('dd', h('a', {href: `#/incidents/${a.incident_id}`, id: 'alert-incident'}, `#${a.incident_id}`))] : null,
            h('dt', t('Fingerprint')), h('dd', h('code', {class: 'fp', title: t('Hits with the same fingerprint within the dedup window are counted in this alert')}, a.fingerprint || '—')))),
        h('div', {class: 'card'}, h('h2', t('Observables')),
          (a.observables || []).length ? h('ul', {class: 'links', id: 'alert-observables'}, a.observables.map((o) => h('li', badge(o.type, 'obs'), ' ',
            h('a', {href: `#/search?q=${encodeURIComponent(o.value)}`}, o.value))))
            : h('p', {class: 'muted'}, t('No observable.'))))));
  state.keys = writer ? {assign: ack, merge: () => merge('existing')} : null;
}
