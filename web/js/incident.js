// Incident page. Analysts: summary and status, deadlines (SLA, NIS2), journal
// timeline, tasks, playbooks, an e-mail composer prefilled with the playbook
// advice, observables with the related-incident graph and list, attachments,
// links. Constituents: summary, the visible journal, reply and attach files.
import {get, post, patch, api} from './api.js';
import {h, replace, field, select, fmtTime, fmtLeft, badge} from './dom.js';
import {t, label, STATUSES, SEVERITIES, TLPS} from './i18n.js';
import {state, toast, isStaff, can} from './state.js';
import {relatedGraph} from './graph.js';
import {mergeDialog} from './incidents.js';
import {editIncidentDialog, editTaskDialog, linksSection, editObservableDialog} from './incident_edit.js';
import {staffUsers, userName} from './pickers.js';
import {markdownBlock} from './markdown.js';

function section(id, title, ...content) {
  return h('section', {class: 'card', id, 'aria-labelledby': `${id}-h`}, h('h2', {id: `${id}-h`}, title), ...content);
}

function errorBox() { return h('p', {class: 'error', role: 'alert'}); }

function journalEntry(inc, e, staff, reload) {
  const meta = e.meta || {};
  return h('li', {class: ['entry', `k-${e.kind}`, e.visible ? 'visible' : 'internal'], dataset: {id: e.id}},
    h('div', {class: 'meta'},
      badge(label('kind', e.kind), e.kind), ' ',
      h('span', e.author || t('system')), ' · ', h('time', {datetime: e.created_at || ''}, fmtTime(e.created_at)), ' ',
      e.visible ? badge(t('visible to the constituent'), 'visible') : badge(t('internal'), 'internal'),
      staff ? h('button', {type: 'button', class: 'link', on: {click: async () => {
        try { await patch(`/api/v1/incidents/${inc.id}/journal/${e.id}`, {visible: !e.visible}); reload(); } catch (ex) { toast(ex.message, 'error'); }
      }}}, e.visible ? t('Hide') : (e.kind === 'advice' ? t('Send to the constituent') : t('Show'))) : null),
    (e.kind === 'email_out' || e.kind === 'email_in') && (meta.subject || meta.to) ? h('div', {class: 'mailhead'}, meta.to ? `${t('To')}: ${Array.isArray(meta.to) ? meta.to.join(', ') : meta.to}` : '', meta.subject ? ` — ${meta.subject}` : '') : null,
    h('div', {class: 'body'}, e.body || ''));
}

function journalSection(inc, staff, reload) {
  const list = h('ol', {class: 'timeline', id: 'journal'}, (inc.journal || []).map((e) => journalEntry(inc, e, staff, reload)));
  const body = h('textarea', {rows: 4, name: 'body', required: true});
  const kind = select(staff ? [['note', t('Note')], ['reply', t('Reply')], ['advice', t('Advice')], ['email_in', t('E-mail received')]] : [['reply', t('Reply')]], staff ? 'note' : 'reply', {name: 'kind'});
  const vis = h('input', {type: 'checkbox', name: 'visible', checked: !staff});
  const err = errorBox();
  const form = h('form', {class: 'add-entry', on: {submit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      await post(`/api/v1/incidents/${inc.id}/journal`, staff ? {kind: kind.value, body: body.value, visible: vis.checked} : {kind: 'reply', body: body.value});
      body.value = '';
      toast(t('Added to the journal.'));
      reload();
    } catch (ex) { err.textContent = ex.message; }
  }}},
  field(staff ? t('Add to the journal') : t('Your reply'), body),
  staff ? h('div', {class: 'inline'}, field(t('Kind'), kind), h('label', {class: 'check'}, vis, t('Visible to the constituent'))) : null,
  err, h('button', {type: 'submit'}, staff ? t('Add') : t('Send reply')));
  return section('journal-s', t('Journal'), list.children.length ? list : h('p', {class: 'muted'}, t('No entry yet.')), form);
}

function tasksSection(inc, reload) {
  const items = inc.tasks || [];
  const title = h('input', {name: 'task', required: true});
  const err = errorBox();
  return section('tasks-s', t('Tasks'),
    items.length ? h('ul', {class: 'tasks', id: 'tasks'}, items.map((tk) => {
      const cb = h('input', {type: 'checkbox', checked: tk.state === 'done', disabled: tk.state === 'cancelled', 'aria-label': tk.title, on: {change: async (e) => {
        try { await patch(`/api/v1/incidents/${inc.id}/tasks/${tk.id}`, {state: e.target.checked ? 'done' : 'open'}); reload(); } catch (ex) { toast(ex.message, 'error'); }
      }}});
      return h('li', {class: [tk.state, tk.overdue ? 'overdue' : ''], dataset: {id: tk.id}}, h('label', {class: 'check'}, cb, tk.title),
        tk.assignee_id ? h('small', {class: 'muted'}, ` · ${userName(tk.assignee_id)}`) : null,
        tk.due_at ? h('small', {class: 'muted'}, ` ${t('due')} ${fmtTime(tk.due_at)}`) : null, tk.overdue ? badge(t('overdue'), 'overdue') : null,
        tk.state === 'cancelled' ? badge(label('task', 'cancelled'), 'internal') : null, ' ',
        h('button', {type: 'button', class: 'link', 'aria-label': t('Edit the task {title}', {title: tk.title}), on: {click: () => editTaskDialog(inc, tk, reload)}}, t('Edit')));
    })) : h('p', {class: 'muted'}, t('No task.')),
    h('form', {class: 'inline', on: {submit: async (e) => {
      e.preventDefault();
      try { await post(`/api/v1/incidents/${inc.id}/tasks`, {title: title.value}); reload(); } catch (ex) { err.textContent = ex.message; }
    }}}, field(t('New task'), title), h('button', {type: 'submit'}, t('Add'))), err);
}

async function playbookSection(inc, reload) {
  let list = (await get('/api/v1/playbooks', inc.type ? {type: inc.type} : {}).catch(() => ({items: []}))).items;
  const all = inc.type ? (await get('/api/v1/playbooks').catch(() => ({items: []}))).items : list;
  const fitting = new Set(list.map((p) => p.id));
  const opts = [...list, ...all.filter((p) => !fitting.has(p.id))];
  const sel = select(opts.map((p) => [p.id, `${p.title}${fitting.has(p.id) && inc.type ? ' ★' : ''}`]), opts[0] && opts[0].id, {name: 'playbook', id: 'playbook-select'});
  const err = errorBox();
  return section('playbook-s', t('Playbooks'),
    h('p', {class: 'muted'}, t('Applying a playbook creates its tasks and a draft advice in the journal (★: fits the RSIT type).')),
    h('form', {class: 'inline', on: {submit: async (e) => {
      e.preventDefault();
      try {
        await post(`/api/v1/incidents/${inc.id}/playbook`, {playbook_id: Number(sel.value)});
        toast(t('Playbook applied.'));
        reload();
      } catch (ex) { err.textContent = ex.message; }
    }}}, field(t('Playbook'), sel), h('button', {type: 'submit', id: 'apply-playbook'}, t('Apply playbook'))), err);
}

async function composerSection(inc, reload) {
  // Recipients: contacts of the incident's organisations.
  const orgIds = [...new Set([inc.org_id, ...(inc.organisations || []).map((o) => o.id || o.org_id)].filter(Boolean))];
  const contacts = [];
  for (const id of orgIds.slice(0, 5)) {
    const o = await get(`/api/v1/orgs/${id}`).catch(() => null);
    if (o) for (const c of o.contacts || []) if (c.email) contacts.push(`${c.name ? `${c.name} ` : ''}<${c.email}>`);
  }
  // Prefill with the playbook advice: the latest advice entry of the journal,
  // else the advice of the first playbook for the incident's type.
  let advice = [...(inc.journal || [])].reverse().find((e) => e.kind === 'advice');
  let text = advice ? advice.body : '';
  if (!text && inc.type) {
    const pbs = (await get('/api/v1/playbooks', {type: inc.type}).catch(() => ({items: []}))).items;
    if (pbs.length) text = (await get(`/api/v1/playbooks/${pbs[0].id}`).catch(() => ({}))).advice_md || '';
  }
  const to = h('input', {name: 'to', value: contacts.join(', '), list: 'contacts-dl'});
  const dl = h('datalist', {id: 'contacts-dl'}, contacts.map((c) => h('option', {value: c})));
  const subject = h('input', {name: 'subject', value: `[${inc.reference}] ${inc.title}`});
  const body = h('textarea', {name: 'mailbody', rows: 10, id: 'mail-body'});
  body.value = text;
  const err = errorBox();
  return section('mail-s', t('E-mail to the constituent'),
    h('form', {on: {submit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      try {
        await post(`/api/v1/incidents/${inc.id}/journal`, {kind: 'email_out', visible: true, body: body.value,
          meta: {to: to.value.split(',').map((s) => s.trim()).filter(Boolean), subject: subject.value}});
        toast(t('E-mail recorded in the journal and queued.'));
        reload();
      } catch (ex) { err.textContent = ex.message; }
    }}}, field(t('To'), to), dl, field(t('Subject'), subject), field(t('Message'), body,
      advice || text ? t('Prefilled with the playbook advice.') : t('Apply a playbook to prefill its advice.')),
    err, h('button', {type: 'submit', id: 'send-mail'}, t('Send'))));
}

async function observablesSection(inc) {
  const [obs, rel] = await Promise.all([
    get(`/api/v1/incidents/${inc.id}/observables`).catch(() => ({items: []})),
    get(`/api/v1/incidents/${inc.id}/related`).catch(() => null),
  ]);
  const text = h('textarea', {rows: 3, name: 'observables', placeholder: t('Paste text: IPs, domains, URLs, hashes, e-mail addresses are extracted (defanged too)')});
  const err = errorBox();
  const names = new Map([[inc.id, inc.reference]]);
  if (rel) {
    await Promise.all((rel.items || []).slice(0, 30).map(async (it) => {
      const o = await get(`/api/v1/incidents/${it.incident_id}`).catch(() => null);
      if (o) names.set(it.incident_id, `${o.reference} ${o.title}`);
    }));
  }
  const graphBox = h('div', {class: 'graph-box'});
  if (rel && (rel.items || []).length) graphBox.appendChild(relatedGraph(rel.graph || {}, names, t('Incidents related to {ref} through shared observables', {ref: inc.reference})));
  else graphBox.appendChild(h('p', {class: 'muted'}, t('No related incident.')));
  const relList = rel && (rel.items || []).length ? h('table', {class: 'list', id: 'related-list'},
    h('thead', h('tr', h('th', t('Incident')), h('th', t('Score')), h('th', t('Shared observables')))),
    h('tbody', rel.items.map((it) => h('tr',
      h('td', h('a', {href: `#/incidents/${it.incident_id}`}, names.get(it.incident_id) || `#${it.incident_id}`)),
      h('td', Number(it.score).toFixed(2)),
      h('td', (it.shared || []).map((s) => `${s.type}:${s.value}${s.other_value && s.other_value !== s.value ? ` ~ ${s.other_type}:${s.other_value}` : ''}`).join(', '))))) ) : null;
  return [section('obs-s', t('Observables'),
    (obs.items || []).length ? h('table', {class: 'list', id: 'observables'}, h('thead', h('tr', h('th', t('Type')), h('th', t('Value')), h('th', 'IOC'), h('th', t('Seen in')),
      can('observable.write') ? h('th', h('span', {class: 'sr'}, t('Actions'))) : null)),
      h('tbody', obs.items.map((o) => h('tr', {class: o.common ? 'common' : '', dataset: {id: o.id}}, h('td', o.type), h('td', {class: 'mono'}, o.value), h('td', o.ioc ? '✓' : ''),
        h('td', o.common ? `${t('common')}${o.common_reason ? ` (${o.common_reason})` : ''}` : String(o.link_count ?? '')),
        can('observable.write') ? h('td', h('button', {type: 'button', class: 'link', 'aria-label': t('Edit {v}', {v: o.value}),
          on: {click: () => editObservableDialog(o, () => refreshObservables(inc))}}, t('Edit'))) : null)))) : h('p', {class: 'muted'}, t('No observable.')),
    can('observable.write') ? h('form', {on: {submit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      try {
        const ex = await post('/api/v1/observables/extract', {text: text.value});
        const list = (ex.candidates || []).map((c) => ({type: c.type, value: c.normalized || c.value}));
        if (!list.length) { err.textContent = t('Nothing found in this text.'); return; }
        await post(`/api/v1/incidents/${inc.id}/observables`, {observables: list.slice(0, 500)});
        toast(t('{n} observables added.', {n: list.length}));
        await refreshObservables(inc);
      } catch (ex2) { err.textContent = ex2.message; }
    }}}, field(t('Add observables'), text), err, h('button', {type: 'submit'}, t('Extract and add'))) : null),
  section('related-s', t('Related incidents'),
    rel ? h('p', {class: 'muted'}, t('Ranked by rarity-weighted overlap; values seen in more than {cap} objects are common and ignored.', {cap: rel.common_cap})) : null,
    graphBox, relList)];
}

async function refreshObservables(inc) {
  const fresh = await observablesSection(inc);
  const a = document.getElementById('obs-s'), b = document.getElementById('related-s');
  if (a && b) { a.replaceWith(fresh[0]); b.replaceWith(fresh[1]); }
}

function attachmentsSection(inc, staff, reload) {
  const file = h('input', {type: 'file', name: 'file', multiple: true});
  const vis = h('input', {type: 'checkbox', checked: false});
  const err = errorBox();
  const items = inc.attachments || [];
  return section('att-s', t('Attachments'),
    items.length ? h('ul', {class: 'attachments'}, items.map((a) => h('li',
      h('a', {href: `/api/v1/incidents/${inc.id}/attachments/${a.id}`, download: a.filename}, a.filename), ' ',
      h('small', {class: 'muted'}, `${a.size} B · ${a.content_type || ''} · sha256 ${String(a.sha256 || '').slice(0, 16)}…`), ' ',
      (a.tags || []).map((tg) => badge(tg, 'tag')), staff && !a.visible ? badge(t('internal'), 'internal') : null))) : h('p', {class: 'muted'}, t('No attachment.')),
    h('form', {class: 'inline', on: {submit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      try {
        for (const f of file.files) {
          await api('POST', `/api/v1/incidents/${inc.id}/attachments?filename=${encodeURIComponent(f.name)}${staff ? `&visible=${vis.checked}` : ''}`,
            await f.arrayBuffer(), {raw: true, contentType: f.type || 'application/octet-stream'});
        }
        toast(t('Attached.'));
        reload();
      } catch (ex) { err.textContent = ex.message; }
    }}}, field(t('Attach files'), file), staff ? h('label', {class: 'check'}, vis, t('Visible to the constituent')) : null, h('button', {type: 'submit'}, t('Upload'))), err);
}

function summary(inc, staff, reload) {
  const st = select(STATUSES.map((s) => [s, label('status', s)]), inc.status, {name: 'status', id: 'status-select'});
  const err = errorBox();
  const dl = (inc.deadlines || []).filter((d) => d.due_at || d.done_at);
  const orgs = (inc.organisations || []).map((o) => o.name || o.org_name).filter(Boolean);
  return h('section', {class: 'card summary', 'aria-label': t('Summary')},
    h('h1', {class: 'title'}, h('span', {class: 'ref'}, inc.reference), ' ', inc.title),
    h('div', {class: 'badges'}, badge(label('status', inc.status), inc.status), ' ', badge(label('severity', inc.severity), inc.severity), ' ',
      badge(`TLP:${String(inc.tlp || '').toUpperCase()}`, `tlp-${inc.tlp}`), ' ', inc.pap ? badge(`PAP:${String(inc.pap).toUpperCase()}`, 'pap') : null,
      inc.paused ? badge(t('clocks paused'), 'waiting') : null, inc.merged_into ? h('a', {href: `#/incidents/${inc.merged_into}`}, ` → #${inc.merged_into}`) : null),
    h('dl', {class: 'facts'},
      h('dt', t('Organisation')), h('dd', orgs.length ? orgs.join(', ') : (inc.org_name || '—')),
      h('dt', t('RSIT')), h('dd', inc.taxonomy ? `${inc.taxonomy} / ${inc.type || ''}` : '—'),
      staff ? [h('dt', t('Assignee')), h('dd', {id: 'assignee'}, inc.assignee_id ? userName(inc.assignee_id) : '—')] : null,
      h('dt', t('Detected')), h('dd', fmtTime(inc.detected_at)),
      h('dt', t('Opened')), h('dd', fmtTime(inc.created_at))),
    inc.description ? markdownBlock(inc.description_html, inc.description, {class: 'description', id: 'description'}) : null,
    dl.length ? h('table', {class: 'list deadlines'}, h('thead', h('tr', h('th', t('Clock')), h('th', t('Due')), h('th', t('State')))),
      h('tbody', dl.map((d) => h('tr', {class: d.overdue ? 'overdue' : ''}, h('td', label('deadline', d.name)), h('td', fmtTime(d.due_at)),
        h('td', d.done_at ? `${t('done')} ${fmtTime(d.done_at)}${d.met === false ? ` (${t('late')})` : ''}` : d.overdue ? badge(`${t('overdue')} ${fmtLeft(d.left_ms)}`, 'overdue') : `${t('left')} ${fmtLeft(d.left_ms)}`))))) : null,
    staff ? h('form', {class: 'inline', on: {submit: async (e) => {
      e.preventDefault();
      try { await post(`/api/v1/incidents/${inc.id}/status`, {status: st.value}); toast(t('Status changed.')); reload(); } catch (ex) { err.textContent = ex.message; }
    }}}, field(t('Status'), st), h('button', {type: 'submit'}, t('Change')),
    h('button', {type: 'button', class: 'secondary', on: {click: async () => {
      try { await patch(`/api/v1/incidents/${inc.id}`, {assignee_id: state.me.user.id}); toast(t('Assigned to you.')); reload(); } catch (ex) { err.textContent = ex.message; }
    }}}, t('Assign to me')),
    h('button', {type: 'button', class: 'secondary', on: {click: () => mergeDialog(inc, (to) => { location.hash = `#/incidents/${to}`; })}}, t('Merge…')),
    h('button', {type: 'button', class: 'secondary', id: 'edit-incident', on: {click: () => editIncidentDialog(inc, reload)}}, t('Edit…'))) : null,
    err);
}

export async function incidentView(root, id) {
  const staff = isStaff();
  const reload = () => incidentView(root, id);
  const [inc] = await Promise.all([get(`/api/v1/incidents/${id}`), staff ? staffUsers() : null]);
  // First the incident itself; the sections that need more requests
  // (playbooks, composer, observables and the related-incident graph) fill
  // their place when they arrive.
  const later = (sectionId, title, promise) => {
    const box = section(sectionId, title, h('p', {class: 'muted'}, t('Loading…')));
    promise.then((el) => box.replaceWith(...[el].flat()))
      .catch((ex) => replace(box, h('h2', title), h('p', {class: 'error'}, ex.message)));
    return box;
  };
  const left = [summary(inc, staff, reload), journalSection(inc, staff, reload)];
  const right = [];
  if (staff) {
    right.push(tasksSection(inc, reload), linksSection(inc, reload),
      later('playbook-s', t('Playbooks'), playbookSection(inc, reload)),
      later('mail-s', t('E-mail to the constituent'), composerSection(inc, reload)));
    left.push(later('obs-s', t('Observables'), observablesSection(inc)));
  }
  right.push(attachmentsSection(inc, staff, reload));
  replace(root,
    h('p', h('a', {href: '#/incidents'}, `← ${staff ? t('Incidents') : t('My organisation\'s incidents')}`)),
    h('div', {class: 'columns'}, h('div', {class: 'col-main'}, left), h('div', {class: 'col-side'}, right)));
}
