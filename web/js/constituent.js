// Constituent: report an incident through a guided form. The API takes a
// subject and a body; the form's answers (RSIT category, when, systems
// affected, NIS2 stage when the organisation is subject to NIS2) are written
// into the body as labelled lines, ahead of the free text.
import {get, post} from './api.js';
import {h, replace, field, select} from './dom.js';
import {t} from './i18n.js';
import {state, toast, isStaff} from './state.js';
import {rsitPicker, orgPicker} from './pickers.js';

export async function reportFormView(root) {
  const me = state.me.user;
  const org = await get(`/api/v1/orgs/${me.org_id}`).catch(() => null);
  const nis2 = org && (org.nis2 === 'essential' || org.nis2 === 'important');
  const subject = h('input', {name: 'subject', required: true, maxlength: 200});
  const what = h('textarea', {name: 'what', rows: 6, required: true});
  const when = h('input', {name: 'when', type: 'datetime-local'});
  const systems = h('textarea', {name: 'systems', rows: 3});
  const stage = select([['', '—'], ['early_warning', t('Early warning (within 24 h)')], ['notification', t('Incident notification (within 72 h)')], ['final_report', t('Final report (within one month)')]], 'early_warning', {name: 'nis2_stage'});
  const rs = await rsitPicker();
  const staffOrg = isStaff() ? orgPicker(t('Organisation concerned')) : null;
  const err = h('p', {class: 'error', role: 'alert'});
  const steps = [
    h('fieldset', h('legend', t('1. What kind of incident?')), ...rs.rows),
    h('fieldset', h('legend', t('2. What happened?')), field(t('Short title'), subject), field(t('Description'), what, t('What you saw, since when, what you did already.'))),
    h('fieldset', h('legend', t('3. When and where?')), field(t('When did it start or was it noticed?'), when), field(t('Systems affected'), systems, t('Names, addresses, services, number of users.'))),
    nis2 ? h('fieldset', h('legend', t('4. NIS2')), h('p', {class: 'muted'}, t('Your organisation is an {kind} entity under NIS2: say which notification this report is.', {kind: org.nis2})), field(t('NIS2 stage'), stage)) : null,
    staffOrg ? staffOrg.row : null,
  ];
  const key = crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
  replace(root, h('h1', t('Report an incident')),
    h('p', {class: 'muted'}, org ? t('Reporting for {org}.', {org: org.name}) : ''),
    h('form', {class: 'card guided', id: 'report-form', on: {submit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      const r = rs.value();
      const lines = [];
      if (r.type) lines.push(`RSIT: ${r.taxonomy} / ${r.type}`);
      if (when.value) lines.push(`${t('Started or noticed')}: ${when.value}`);
      if (systems.value.trim()) lines.push(`${t('Systems affected')}: ${systems.value.trim()}`);
      if (nis2 && stage.value) lines.push(`NIS2: ${stage.value}`);
      const body = `${lines.join('\n')}${lines.length ? '\n\n' : ''}${what.value}`;
      try {
        const rep = await post('/api/v1/reports', {subject: subject.value, body, idempotency_key: key, org_id: staffOrg ? staffOrg.value() || undefined : me.org_id,
          reporter_name: me.display_name || me.username, reporter_email: me.email || undefined});
        toast(t('Report {ref} sent. The CERT will get back to you.', {ref: rep.reference}));
        replace(root, h('h1', t('Thank you')), h('p', t('Your report {ref} was received.', {ref: rep.reference})),
          h('p', h('a', {href: '#/incidents'}, t('My organisation\'s incidents')), ' · ', h('a', {href: '#/my-reports'}, t('My reports'))));
      } catch (ex) { err.textContent = ex.message + (ex.field ? ` (${ex.field})` : ''); }
    }}}, ...steps, err, h('button', {type: 'submit'}, t('Send the report'))));
  rs.tax.focus();
}
