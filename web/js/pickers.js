// Small pickers shared by the views: organisations, incidents, RSIT types.
import {get} from './api.js';
import {h, field, select} from './dom.js';
import {t} from './i18n.js';

let rsitCache = null;
export async function rsit() {
  if (!rsitCache) rsitCache = (await get('/api/v1/rsit')).items || [];
  return rsitCache;
}

// A search box plus a select of matching organisations. {row, value()}
export function orgPicker(label, params = {}, initial = null) {
  const q = h('input', {type: 'search', placeholder: t('Search organisations'), 'aria-label': `${label} — ${t('search')}`});
  const sel = h('select', {'aria-label': label});
  let timer = null;
  async function load() {
    const page = await get('/api/v1/orgs', {...params, q: q.value, limit: 25}).catch(() => ({items: []}));
    const keep = sel.value || (initial ? String(initial) : '');
    sel.replaceChildren(h('option', {value: ''}, '—'),
      ...page.items.map((o) => h('option', {value: o.id, selected: String(o.id) === keep}, `${o.name} (${o.kind})`)));
    if (initial && !page.items.some((o) => String(o.id) === String(initial))) {
      const o = await get(`/api/v1/orgs/${initial}`).catch(() => null);
      if (o) sel.appendChild(h('option', {value: o.id, selected: true}, `${o.name} (${o.kind})`));
    }
  }
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 200); });
  load();
  const row = h('div', {class: 'field'}, h('label', {for: sel.id = `org-${Math.random().toString(36).slice(2)}`}, label), h('div', {class: 'inline'}, q, sel));
  return {row, value: () => (sel.value ? Number(sel.value) : null), select: sel};
}

// Incident picker: search box + select (open incidents), or a typed id.
export function incidentPicker(label, exclude) {
  const q = h('input', {type: 'search', placeholder: t('Reference, title or id'), 'aria-label': `${label} — ${t('search')}`});
  const sel = h('select', {'aria-label': label});
  let timer = null;
  async function load() {
    const v = q.value.trim();
    const page = await get('/api/v1/incidents', {q: /^\d+$/.test(v) ? '' : v, status: 'open', limit: 25}).catch(() => ({items: []}));
    const items = page.items.filter((i) => i.id !== exclude);
    if (/^\d+$/.test(v) && !items.some((i) => String(i.id) === v)) {
      const one = await get(`/api/v1/incidents/${v}`).catch(() => null);
      if (one) items.unshift(one);
    }
    const keep = sel.value;
    sel.replaceChildren(...items.map((i) => h('option', {value: i.id}, `${i.reference} — ${i.title}`)));
    // a typed id selects that incident; otherwise the choice made survives a reload
    const want = /^\d+$/.test(v) ? v : keep;
    if (items.some((i) => String(i.id) === want)) sel.value = want;
  }
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 200); });
  load();
  const row = h('div', {class: 'field'}, h('label', {for: sel.id = `inc-${Math.random().toString(36).slice(2)}`}, label), h('div', {class: 'inline'}, q, sel));
  return {row, value: () => (sel.value ? Number(sel.value) : null), select: sel};
}

// RSIT taxonomy + type selects. {rows, value() -> {taxonomy, type}}
export async function rsitPicker(initialType) {
  const items = await rsit();
  const taxes = [...new Set(items.map((i) => i.taxonomy))];
  const initTax = (items.find((i) => i.type === initialType) || {}).taxonomy || '';
  const tax = select([['', '—'], ...taxes.map((x) => [x, x])], initTax);
  const type = h('select');
  function fill() {
    const keep = type.value || initialType || '';
    type.replaceChildren(h('option', {value: ''}, '—'),
      ...items.filter((i) => i.taxonomy === tax.value).map((i) => h('option', {value: i.type, selected: i.type === keep}, `${i.label} (${i.type})`)));
  }
  tax.addEventListener('change', fill);
  fill();
  return {
    rows: [field(t('RSIT category'), tax), field(t('RSIT type'), type)],
    value: () => ({taxonomy: tax.value || undefined, type: type.value || undefined}),
    tax, type,
  };
}

// Staff users (admins and analysts), for the assignee selects: [{id, name}].
let staffCache = null;
export async function staffUsers() {
  if (!staffCache) {
    const pages = await Promise.all(['analyst', 'admin'].map((role) => get('/api/v1/users', {role, limit: 200}).catch(() => ({items: []}))));
    staffCache = pages.flatMap((p) => p.items || []).filter((u) => !u.disabled)
      .map((u) => ({id: u.id, name: u.display_name ? `${u.display_name} (${u.username})` : u.username}))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
  return staffCache;
}

// A select of staff users ('' = nobody). {input, value() -> id | null}
export async function assigneeSelect(initial, attrs = {}) {
  const users = await staffUsers();
  const opts = [['', t('(nobody)')], ...users.map((u) => [u.id, u.name])];
  if (initial && !users.some((u) => u.id === initial)) opts.push([initial, `#${initial}`]);
  const input = select(opts, initial || '', attrs);
  return {input, value: () => (input.value ? Number(input.value) : null)};
}

// Name of a staff user by id, for lists ('#12' when unknown).
export function userName(id) {
  const u = staffCache && staffCache.find((x) => x.id === id);
  return u ? u.name : `#${id}`;
}
