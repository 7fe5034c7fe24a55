// Administration: users, API tokens, the audit log with chain verification.
import {get, post, patch, del} from './api.js';
import {h, replace, field, select, fmtTime, badge} from './dom.js';
import {t, label} from './i18n.js';
import {pager, toast, can, state} from './state.js';
import {orgPicker} from './pickers.js';
import {showDialog, hideOverlay} from './keys.js';
import {apiForm, dialogButtons, changed} from './forms.js';
import {playbooksCard} from './playbooks.js';

const ROLES = ['admin', 'analyst', 'constituent', 'partner'];

// Edit a user: name, e-mail, role, organisation, language, disabled.
function editUserDialog(u, done) {
  const f = apiForm();
  const name = h('input', {name: 'display_name', value: u.display_name || '', maxlength: 256});
  const email = h('input', {name: 'email', type: 'email', value: u.email || '', maxlength: 320});
  const role = select(ROLES.map((r) => [r, label('role', r)]), u.role, {name: 'role'});
  const lang = select([['en', 'English'], ['fr', 'Français']], (u.language || 'en').slice(0, 2), {name: 'language'});
  const org = orgPicker(t('Organisation'), {}, u.org_id);
  const disabled = h('input', {type: 'checkbox', name: 'disabled', checked: !!u.disabled, disabled: u.id === state.me.user.id});
  showDialog(t('Edit the user {name}', {name: u.username}), h('form', {class: 'edit-user', on: {submit: async (e) => {
    e.preventDefault();
    const body = changed(u, {display_name: name.value, email: email.value, role: role.value, language: lang.value,
      org_id: org.value() || undefined, disabled: disabled.checked});
    if (!Object.keys(body).length) { hideOverlay(); return; }
    try {
      await patch(`/api/v1/users/${u.id}`, body);
      hideOverlay();
      toast(t('User updated.'));
      done();
    } catch (ex) { f.fail(ex); }
  }}}, h('div', {class: 'grid2'}, f.field('display_name', t('Name'), name), f.field('email', t('E-mail'), email),
    f.field('role', t('Role'), role), f.field('language', t('Language'), lang),
    f.field('org_id', t('Organisation'), h('div', {class: 'inline'}, org.row.querySelector('.inline')))),
  h('label', {class: 'check'}, disabled, t('Disabled: cannot log in')), f.general, dialogButtons()));
}

async function usersCard() {
  const tbody = h('tbody');
  const p = pager(async (cursor) => {
    const page = await get('/api/v1/users', {cursor, limit: 50});
    replace(tbody, page.items.map((u) => h('tr',
      h('td', u.username), h('td', u.display_name || ''), h('td', u.email || ''), h('td', label('role', u.role)), h('td', `#${u.org_id}`), h('td', u.language || ''),
      h('td', u.disabled ? badge(t('disabled'), 'overdue') : badge(t('active'), 'ok')), h('td', fmtTime(u.last_login_at)),
      can('user.write') ? h('td', {class: 'nowrap'},
        h('button', {type: 'button', class: 'link', 'aria-label': t('Edit the user {name}', {name: u.username}), on: {click: () => editUserDialog(u, () => p.reload())}}, t('Edit')),
        u.id !== state.me.user.id ? h('button', {type: 'button', class: 'link', on: {click: async () => {
          try { await patch(`/api/v1/users/${u.id}`, {disabled: !u.disabled}); p.reload(); } catch (ex) { toast(ex.message, 'error'); }
        }}}, u.disabled ? t('Enable') : t('Disable')) : null) : h('td'))));
    return page;
  });
  const username = h('input', {name: 'username', required: true, autocomplete: 'off'});
  const password = h('input', {name: 'new-password', type: 'password', required: true, autocomplete: 'new-password'});
  const role = select(ROLES.map((r) => [r, label('role', r)]), 'analyst', {name: 'role'});
  const lang = select([['en', 'English'], ['fr', 'Français']], 'fr', {name: 'language'});
  const email = h('input', {name: 'email', type: 'email'});
  const org = orgPicker(t('Organisation'));
  const f = apiForm();
  const form = can('user.write') ? h('details', h('summary', t('New user')), h('form', {on: {submit: async (e) => {
    e.preventDefault();
    f.clear();
    try {
      await post('/api/v1/users', {username: username.value, password: password.value, role: role.value, language: lang.value, email: email.value || undefined,
        org_id: org.value() || state.me.user.org_id});
      toast(t('User created.'));
      username.value = password.value = '';
      p.reset();
    } catch (ex) { f.fail(ex); }
  }}}, h('div', {class: 'grid2'}, f.field('username', t('User name'), username), f.field('password', t('Password'), password),
    f.field('role', t('Role'), role), f.field('language', t('Language'), lang), f.field('email', t('E-mail'), email),
    f.field('org_id', t('Organisation'), h('div', {class: 'inline'}, org.row.querySelector('.inline')))), f.general,
  h('button', {type: 'submit'}, t('Create')))) : null;
  const card = h('section', {class: 'card', 'aria-labelledby': 'users-h'}, h('h2', {id: 'users-h'}, t('Users')),
    h('table', {class: 'list'}, h('thead', h('tr', ...[t('User name'), t('Name'), t('E-mail'), t('Role'), t('Organisation'), t('Language'), t('State'), t('Last login'), ''].map((c) => h('th', c)))), tbody),
    p.el, form);
  await p.reset();
  return card;
}

async function tokensCard() {
  const tbody = h('tbody');
  const secret = h('div', {'aria-live': 'polite'});
  async function load() {
    const r = await get('/api/v1/tokens');
    replace(tbody, (r.items || []).map((tk) => h('tr', h('td', tk.name), h('td', {class: 'mono'}, tk.prefix), h('td', tk.read_only ? t('read-only') : t('read-write')),
      h('td', fmtTime(tk.created_at)), h('td', fmtTime(tk.expires_at)), h('td', fmtTime(tk.last_used_at)),
      h('td', tk.active ? h('button', {type: 'button', class: 'link', on: {click: async () => {
        try { await del(`/api/v1/tokens/${tk.id}`); load(); } catch (ex) { toast(ex.message, 'error'); }
      }}}, t('Revoke')) : badge(t('revoked'), 'internal')))));
  }
  const name = h('input', {name: 'token-name', required: true});
  const ro = h('input', {type: 'checkbox', checked: true});
  const days = h('input', {type: 'number', min: 1, max: 3650, value: 90});
  await load();
  return h('section', {class: 'card', 'aria-labelledby': 'tokens-h'}, h('h2', {id: 'tokens-h'}, t('My API tokens')),
    h('table', {class: 'list'}, h('thead', h('tr', ...[t('Name'), t('Prefix'), t('Access'), t('Created'), t('Expires'), t('Last used'), ''].map((c) => h('th', c)))), tbody),
    h('form', {class: 'inline', on: {submit: async (e) => {
      e.preventDefault();
      try {
        const r = await post('/api/v1/tokens', {name: name.value, read_only: ro.checked, expires_in_days: Number(days.value)});
        replace(secret, h('p', {class: 'secret'}, t('Copy this token now; it is not shown again:'), ' ', h('code', r.token)));
        name.value = '';
        load();
      } catch (ex) { toast(ex.message, 'error'); }
    }}}, field(t('Name'), name), field(t('Days'), days), h('label', {class: 'check'}, ro, t('Read-only')), h('button', {type: 'submit'}, t('Create token'))),
    secret);
}

// A chain problem of GET /audit/verify ({seq, what: "entry 12: ..."}) as
// "#12: what", the known kinds of fault in the UI language.
export function problemText(pr) {
  if (typeof pr === 'string') return pr;
  if (!pr || typeof pr !== 'object') return String(pr);
  let what = String(pr.what || '');
  const m = /^entry (-?\d+): (.*)$/s.exec(what);
  const seq = pr.seq ?? (m ? m[1] : '?');
  if (m) what = m[2];
  const f = /^follows entry (-?\d+), not the previous one \(reordered\)$/.exec(what);
  if (f) what = t('follows entry #{n}, not the previous one (reordered)', {n: f[1]});
  else if (what === 'content does not match its hash (edited)' || what === 'previous entry missing (removed)') what = t(what);
  return `#${seq}: ${what}`;
}

async function auditCard() {
  const tbody = h('tbody');
  const actor = h('input', {name: 'actor', type: 'search'});
  const action = h('input', {name: 'action', type: 'search'});
  const verdict = h('div', {id: 'audit-verdict', 'aria-live': 'polite'});
  const p = pager(async (cursor) => {
    const page = await get('/api/v1/audit', {actor: actor.value, action: action.value, cursor, limit: 50});
    replace(tbody, page.items.map((a) => h('tr', {class: a.outcome !== 'ok' ? 'warn' : ''}, h('td', String(a.seq)), h('td', fmtTime(a.ts)), h('td', a.actor), h('td', a.action),
      h('td', `${a.object_type || ''} ${a.object_id || ''}`), h('td', badge(a.outcome, a.outcome)), h('td', a.ip || ''), h('td', {class: 'mono'}, String(a.hash || '').slice(0, 12)))));
    return page;
  });
  let timer;
  for (const el of [actor, action]) el.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => p.reset(), 250); });
  const card = h('section', {class: 'card', 'aria-labelledby': 'audit-h'}, h('h2', {id: 'audit-h'}, t('Audit log')),
    h('div', {class: 'filters'}, field(t('Actor'), actor), field(t('Action'), action),
      h('button', {type: 'button', id: 'verify-chain', on: {click: async () => {
        replace(verdict, t('Verifying…'));
        try {
          const v = await get('/api/v1/audit/verify');
          replace(verdict, v.ok ? h('p', {class: 'ok'}, t('Chain intact: {n} entries checked.', {n: v.checked}))
            : h('div', {class: 'error'}, h('p', (v.problems || []).length === 1 ? t('Chain broken: 1 problem.') : t('Chain broken: {n} problems.', {n: (v.problems || []).length})),
              h('ul', {id: 'audit-problems'}, (v.problems || []).slice(0, 50).map((pr) => h('li', {dataset: {seq: (pr && pr.seq) ?? ''}}, problemText(pr))))));
        } catch (ex) { replace(verdict, h('p', {class: 'error'}, ex.message)); }
      }}}, t('Verify the chain'))),
    verdict,
    h('table', {class: 'list'}, h('thead', h('tr', ...['#', t('Time'), t('Actor'), t('Action'), t('Object'), t('Outcome'), 'IP', 'hash'].map((c) => h('th', c)))), tbody),
    p.el);
  await p.reset();
  return card;
}

export async function adminView(root) {
  const parts = [h('h1', t('Administration'))];
  if (can('user.read')) parts.push(await usersCard());
  if (can('playbook.write')) parts.push(await playbooksCard());
  if (can('token.read')) parts.push(await tokensCard());
  if (can('audit.read')) parts.push(await auditCard());
  replace(root, ...parts);
}
