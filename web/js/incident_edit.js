// Edit forms of the incident page (analysts): the incident's attributes
// (PATCH /incidents/{id}), a task (PATCH /incidents/{id}/tasks/{tid}), manual
// links with a reason (POST /incidents/{id}/links) and an observable's IOC /
// common marks (PATCH /observables/{id}). Errors from the API are shown next
// to the field they name.
import {get, post, patch} from './api.js';
import {h, replace, select, badge, fmtTime} from './dom.js';
import {t, label, SEVERITIES, TLPS} from './i18n.js';
import {toast} from './state.js';
import {showDialog, hideOverlay} from './keys.js';
import {rsitPicker, orgPicker, incidentPicker, assigneeSelect} from './pickers.js';
import {apiForm, dialogButtons, changed, toLocalInput, fromLocalInput} from './forms.js';

const PAPS = ['clear', 'green', 'amber', 'red'];

// The organisations concerned besides the primary one: a list with remove
// buttons and a picker to add one. {el, ids()}
function orgsEditor(initial) {
  const chosen = new Map(initial.map((o) => [o.id, o.name || `#${o.id}`]));
  const list = h('ul', {class: 'chips', id: 'orgs-concerned'});
  const picker = orgPicker(t('Add an organisation concerned'));
  function draw() {
    replace(list, [...chosen].map(([id, name]) => h('li', name, ' ',
      h('button', {type: 'button', class: 'link', 'aria-label': t('Remove {name}', {name}), on: {click: () => { chosen.delete(id); draw(); }}}, '×'))));
    if (!chosen.size) list.appendChild(h('li', {class: 'muted'}, t('none')));
  }
  const add = h('button', {type: 'button', class: 'secondary', on: {click: () => {
    const id = picker.value();
    if (!id) return;
    const opt = picker.select.selectedOptions[0];
    chosen.set(id, opt ? opt.textContent.replace(/ \([^)]*\)$/, '') : `#${id}`);
    draw();
  }}}, t('Add'));
  draw();
  return {el: h('div', list, picker.row, add), ids: () => [...chosen.keys()], input: picker.select};
}

export async function editIncidentDialog(inc, reload) {
  const f = apiForm();
  const title = h('input', {name: 'title', value: inc.title, required: true, maxlength: 512});
  const sev = select(SEVERITIES.map((s) => [s, label('severity', s)]), inc.severity, {name: 'severity'});
  const tlp = select(TLPS.map((s) => [s, `TLP:${s.toUpperCase()}`]), inc.tlp, {name: 'tlp'});
  const pap = select(PAPS.map((s) => [s, `PAP:${s.toUpperCase()}`]), inc.pap, {name: 'pap'});
  const rs = await rsitPicker(inc.type);
  const who = await assigneeSelect(inc.assignee_id, {name: 'assignee'});
  const primary = orgPicker(t('Organisation'), {}, inc.org_id);
  const others = orgsEditor((inc.organisations || []).filter((o) => o.id !== inc.org_id));
  const form = h('form', {class: 'edit-incident', on: {submit: async (e) => {
    e.preventDefault();
    const r = rs.value();
    const body = changed(inc, {title: title.value, severity: sev.value, tlp: tlp.value, pap: pap.value,
      taxonomy: r.taxonomy, type: r.type, assignee_id: who.value(), org_id: primary.value() || undefined});
    const ids = others.ids();
    const before = (inc.organisations || []).filter((o) => o.id !== inc.org_id).map((o) => o.id);
    if (JSON.stringify(ids) !== JSON.stringify(before)) body.org_ids = ids;
    if (!Object.keys(body).length) { hideOverlay(); return; }
    try {
      await patch(`/api/v1/incidents/${inc.id}`, body);
      hideOverlay();
      toast(t('Incident updated.'));
      reload();
    } catch (ex) { f.fail(ex); }
  }}},
  h('div', {class: 'grid2'},
    f.field('title', t('Title'), title),
    f.field('severity', t('Severity'), sev),
    f.field('tlp', 'TLP', tlp),
    f.field('pap', 'PAP', pap),
    f.field('taxonomy', t('RSIT category'), rs.tax),
    f.field('type', t('RSIT type'), rs.type),
    f.field('assignee_id', t('Assignee'), who.input),
    f.field('org_id', t('Organisation'), h('div', {class: 'inline'}, primary.row.querySelector('.inline')))),
  f.field('org_ids', t('Other organisations concerned'), others.el),
  f.general, dialogButtons());
  showDialog(t('Edit {ref}', {ref: inc.reference}), form);
}

export async function editTaskDialog(inc, tk, reload) {
  const f = apiForm();
  const title = h('input', {name: 'title', value: tk.title, required: true, maxlength: 512});
  const who = await assigneeSelect(tk.assignee_id, {name: 'assignee'});
  const due = h('input', {type: 'datetime-local', name: 'due_at', value: toLocalInput(tk.due_at)});
  const st = select(['open', 'done', 'cancelled'].map((s) => [s, label('task', s)]), tk.state, {name: 'state'});
  showDialog(t('Edit the task'), h('form', {class: 'edit-task', on: {submit: async (e) => {
    e.preventDefault();
    const body = changed({...tk, due_at: toLocalInput(tk.due_at)}, {title: title.value, assignee_id: who.value(), due_at: due.value, state: st.value});
    if (body.due_at !== undefined) body.due_at = fromLocalInput(due.value);
    if (body.due_at === undefined) delete body.due_at;
    if (!Object.keys(body).length) { hideOverlay(); return; }
    try {
      await patch(`/api/v1/incidents/${inc.id}/tasks/${tk.id}`, body);
      hideOverlay();
      toast(t('Task updated.'));
      reload();
    } catch (ex) { f.fail(ex); }
  }}},
  f.field('title', t('Task'), title), f.field('assignee_id', t('Assignee'), who.input),
  f.field('due_at', t('Due'), due, t('Your local time.')), f.field('state', t('State'), st), f.general, dialogButtons()));
}

// Links made by hand, with their reason, and a form to add one.
export function linksSection(inc, reload) {
  const f = apiForm();
  const other = incidentPicker(t('Incident'), inc.id);
  const reason = h('textarea', {name: 'reason', rows: 2, required: true, maxlength: 1024});
  const links = inc.links || [];
  return h('section', {class: 'card', id: 'links-s', 'aria-labelledby': 'links-s-h'}, h('h2', {id: 'links-s-h'}, t('Linked incidents')),
    links.length ? h('ul', {class: 'links', id: 'links'}, links.map((l) => h('li',
      h('a', {href: `#/incidents/${l.incident_id}`}, `${l.reference || `#${l.incident_id}`} ${l.title || ''}`), ' ',
      l.status ? badge(label('status', l.status), l.status) : null,
      h('div', {class: 'muted small'}, `${l.reason || ''} · ${fmtTime(l.created_at)}`)))) : h('p', {class: 'muted'}, t('No linked incident.')),
    h('form', {class: 'add-link', on: {submit: async (e) => {
      e.preventDefault();
      f.clear();
      if (!other.value()) { f.fail({field: 'incident_id', message: t('Choose an incident.')}); return; }
      try {
        await post(`/api/v1/incidents/${inc.id}/links`, {incident_id: other.value(), reason: reason.value});
        toast(t('Incidents linked.'));
        reload();
      } catch (ex) { f.fail(ex); }
    }}}, f.field('incident_id', t('Link to'), other.row.querySelector('.inline')), f.field('reason', t('Reason'), reason), f.general,
    h('button', {type: 'submit'}, t('Link'))));
}

export function editObservableDialog(o, done) {
  const f = apiForm();
  const ioc = h('input', {type: 'checkbox', name: 'ioc', checked: !!o.ioc});
  const common = h('input', {type: 'checkbox', name: 'common', checked: !!o.common});
  const reason = h('input', {name: 'common_reason', value: o.common_reason || '', maxlength: 256});
  const tags = h('input', {name: 'tags', value: (o.tags || []).join(', ')});
  showDialog(t('Observable {v}', {v: `${o.type}:${o.value}`}), h('form', {class: 'edit-observable', on: {submit: async (e) => {
    e.preventDefault();
    const body = changed(o, {ioc: ioc.checked, common: common.checked, tags: tags.value.split(',').map((s) => s.trim()).filter(Boolean)});
    if (reason.value !== (o.common_reason || '') || (body.common !== undefined && reason.value)) body.common_reason = reason.value;
    if (!Object.keys(body).length) { hideOverlay(); return; }
    try {
      const res = await patch(`/api/v1/observables/${o.id}`, body);
      hideOverlay();
      toast(t('Observable updated.'));
      done(res);
    } catch (ex) { f.fail(ex); }
  }}},
  h('label', {class: 'check'}, ioc, t('Indicator of compromise (IOC)')),
  h('label', {class: 'check'}, common, t('Common value: correlates nothing')),
  f.field('common_reason', t('Reason'), reason, t('Why this value is (or is not) common.')),
  f.field('tags', t('Tags'), tags, t('Comma-separated.')), f.general, dialogButtons()));
}

// Fresh copy of an incident's observables (after an edit).
export const loadObservables = (inc) => get(`/api/v1/incidents/${inc.id}/observables`).catch(() => ({items: []}));
