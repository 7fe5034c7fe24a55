// Constituent: report an incident through a guided form. The answers go to
// POST /api/v1/reports as fields of their own (rsit_type, detected_at,
// systems_affected, nis2_stage when the organisation is subject to NIS2); the
// body is the "what happened" text only. An API error naming a field is shown
// under that field (forms.js).
import {get, post} from './api.js';
import {h, replace, field, select} from './dom.js';
import {t} from './i18n.js';
import {state, toast, isStaff} from './state.js';
import {rsitPicker, orgPicker} from './pickers.js';
import {apiForm, fromLocalInput} from './forms.js';

export async function reportFormView(root) {
  const me = state.me.user;
  const org = await get(`/api/v1/orgs/${me.org_id}`).catch(() => null);
  const nis2 = org && (org.nis2 === 'essential' || org.nis2 === 'important');
  const subject = h('input', {name: 'subject', required: true, maxlength: 200});
  const what = h('textarea', {name: 'what', rows: 6, required: true});
  const when = h('input', {name: 'when', type: 'datetime-local'});
  const systems = h('textarea', {name: 'systems', rows: 3, maxlength: 4096});
  const stage = select([['', '—'], ['early_warning', t('Early warning (within 24 h)')], ['notification', t('Incident notification (within 72 h)')], ['final_report', t('Final report (within one month)')]], '', {name: 'nis2_stage'});
  const rs = await rsitPicker();
  const staffOrg = isStaff() ? orgPicker(t('Organisation concerned')) : null;
  const form = apiForm();
  const steps = [
    h('fieldset', h('legend', t('1. What kind of incident?')), rs.rows[0], form.field('rsit_type', t('RSIT type'), rs.type)),
    h('fieldset', h('legend', t('2. What happened?')), form.field('subject', t('Short title'), subject),
      form.field('body', t('Description'), what, t('What you saw, since when, what you did already.'))),
    h('fieldset', h('legend', t('3. When and where?')), form.field('detected_at', t('When did it start or was it noticed?'), when),
      form.field('systems_affected', t('Systems affected'), systems, t('Names, addresses, services, number of users.'))),
    nis2 ? h('fieldset', {id: 'nis2-step'}, h('legend', t('4. NIS2')), h('p', {class: 'muted'}, t('Your organisation is an {kind} entity under NIS2: say which notification this report is.', {kind: org.nis2})),
      form.field('nis2_stage', t('NIS2 stage'), stage)) : null,
    staffOrg ? staffOrg.row : null,
  ];
  const key = crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
  replace(root, h('h1', t('Report an incident')),
    h('p', {class: 'muted'}, org ? t('Reporting for {org}.', {org: org.name}) : ''),
    h('form', {class: 'card guided', id: 'report-form', on: {submit: async (e) => {
      e.preventDefault();
      form.clear();
      const body = {subject: subject.value, body: what.value, idempotency_key: key,
        org_id: staffOrg ? staffOrg.value() || undefined : me.org_id,
        reporter_name: me.display_name || me.username, reporter_email: me.email || undefined};
      const r = rs.value();
      if (r.type) body.rsit_type = r.type;
      // datetime-local is local time: sent as RFC 3339 UTC
      if (when.value) body.detected_at = fromLocalInput(when.value);
      if (systems.value.trim()) body.systems_affected = systems.value.trim();
      if (nis2 && stage.value) body.nis2_stage = stage.value;
      try {
        const rep = await post('/api/v1/reports', body);
        toast(t('Report {ref} sent. The CERT will get back to you.', {ref: rep.reference}));
        replace(root, h('h1', t('Thank you')), h('p', t('Your report {ref} was received.', {ref: rep.reference})),
          h('p', h('a', {href: '#/incidents'}, t('My organisation\'s incidents')), ' · ', h('a', {href: '#/my-reports'}, t('My reports'))));
      } catch (ex) { form.fail(ex); }
    }}}, ...steps, form.general, h('button', {type: 'submit'}, t('Send the report'))));
  rs.tax.focus();
}
