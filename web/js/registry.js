// Registry: organisations (search, kind filter, server-side paging), one
// organisation with its networks, AS numbers, domains, contacts and products,
// and a lookup box for an IP address, domain, AS number or e-mail address.
import {get} from './api.js';
import {h, replace, field, select, badge} from './dom.js';
import {t, label, ORG_KINDS} from './i18n.js';
import {pager, isStaff} from './state.js';

// Guess what was typed in the lookup box.
export function lookupParams(v) {
  v = v.trim();
  if (/^(as)?\d+$/i.test(v)) return {asn: v.replace(/^as/i, '')};
  if (v.includes('@')) return {email: v};
  if (/^[0-9.]+$/.test(v) || v.includes(':')) return {ip: v};
  return {domain: v};
}

function lookupBox() {
  const q = h('input', {type: 'search', name: 'lookup', id: 'lookup-input', placeholder: '192.0.2.10 · example.gouv.fr · AS64500 · soc@example.fr'});
  const out = h('div', {id: 'lookup-result', 'aria-live': 'polite'});
  return h('section', {class: 'card', 'aria-labelledby': 'lookup-h'}, h('h2', {id: 'lookup-h'}, t('Lookup')),
    h('form', {class: 'inline', on: {submit: async (e) => {
      e.preventDefault();
      try {
        const r = await get('/api/v1/lookup', lookupParams(q.value));
        replace(out, r.matches.length ? h('ul', r.matches.map((m) => h('li', m.best ? {class: 'best'} : null,
          h('a', {href: `#/registry/${m.org_id}`}, m.org_name || (m.org && m.org.name) || `#${m.org_id}`), ' ',
          badge(m.type, 'tag'), ' ', h('span', {class: 'mono'}, m.matched), m.best ? badge(t('best match'), 'ok') : null)))
          : h('p', {class: 'muted'}, t('No organisation concerned.')));
      } catch (ex) { replace(out, h('p', {class: 'error'}, ex.message)); }
    }}}, field(t('IP, domain, AS number or e-mail'), q), h('button', {type: 'submit'}, t('Look up'))), out);
}

export async function registryView(root) {
  const q = h('input', {type: 'search', name: 'q', placeholder: t('Name')});
  const kind = select([['', t('All')], ...ORG_KINDS.map((k) => [k, label('kind', k)])], '', {name: 'kind'});
  const nis2 = select([['', t('All')], ['essential', 'essential'], ['important', 'important']], '', {name: 'nis2'});
  const tbody = h('tbody');
  const p = pager(async (cursor) => {
    const page = await get('/api/v1/orgs', {q: q.value, kind: kind.value, nis2: nis2.value, cursor, limit: 50});
    replace(tbody, page.items.length ? page.items.map((o) => h('tr',
      h('td', h('a', {href: `#/registry/${o.id}`}, o.name)), h('td', o.short_name || ''), h('td', label('kind', o.kind)),
      h('td', label('sector', o.sector)), h('td', o.nis2 || '—'), h('td', o.in_scope ? '✓' : '✗'))) : h('tr', h('td', {colspan: 6, class: 'muted'}, t('No organisation.'))));
    return page;
  });
  let timer;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => p.reset(), 250); });
  kind.addEventListener('change', () => p.reset());
  nis2.addEventListener('change', () => p.reset());
  replace(root, h('h1', t('Registry')), lookupBox(),
    h('section', {class: 'card', 'aria-labelledby': 'orgs-h'}, h('h2', {id: 'orgs-h'}, t('Organisations')),
      h('div', {class: 'filters'}, field(t('Search'), q), field(t('Kind'), kind), field('NIS2', nis2)),
      h('table', {class: 'list', id: 'org-list'}, h('thead', h('tr', h('th', t('Name')), h('th', t('Short name')), h('th', t('Kind')), h('th', t('Sector')), h('th', 'NIS2'), h('th', t('In scope')))), tbody),
      p.el));
  await p.reset();
}

function table(id, title, cols, rows) {
  return h('section', {class: 'card', 'aria-labelledby': `${id}-h`}, h('h2', {id: `${id}-h`}, `${title} (${rows.length})`),
    rows.length ? h('table', {class: 'list', id}, h('thead', h('tr', cols.map(([c]) => h('th', c)))),
      h('tbody', rows.map((r) => h('tr', cols.map(([, f]) => h('td', f(r) ?? '')))))) : h('p', {class: 'muted'}, '—'));
}

export async function orgView(root, id) {
  const o = await get(`/api/v1/orgs/${id}`);
  replace(root,
    isStaff() ? h('p', h('a', {href: '#/registry'}, `← ${t('Registry')}`)) : null,
    h('h1', o.name, o.short_name ? ` (${o.short_name})` : ''),
    h('dl', {class: 'facts'},
      h('dt', t('Kind')), h('dd', label('kind', o.kind)),
      h('dt', t('Sector')), h('dd', label('sector', o.sector)),
      h('dt', 'NIS2'), h('dd', o.nis2 || '—'),
      h('dt', t('In scope')), h('dd', o.in_scope ? t('yes') : t('no')),
      h('dt', t('Country')), h('dd', o.country || '—'),
      o.parent_id ? [h('dt', t('Parent')), h('dd', h('a', {href: `#/registry/${o.parent_id}`}, `#${o.parent_id}`))] : null),
    o.notes ? h('p', {class: 'body'}, o.notes) : null,
    h('div', {class: 'grid'},
      table('networks', t('Networks'), [[t('Prefix'), (r) => r.cidr], [t('Note'), (r) => r.note]], o.networks || []),
      table('asns', t('AS numbers'), [['ASN', (r) => `AS${r.asn}`], [t('Note'), (r) => r.note]], o.asns || []),
      table('domains', t('Domains'), [[t('Domain'), (r) => r.domain], [t('Note'), (r) => r.note]], o.domains || []),
      table('contacts', t('Contacts'), [[t('Name'), (r) => r.name], [t('Role'), (r) => r.role], [t('E-mail'), (r) => r.email], [t('Phone'), (r) => r.phone], ['PGP', (r) => r.pgp_fingerprint]], o.contacts || []),
      table('products', t('Products'), [['CPE 2.3', (r) => r.cpe], [t('Note'), (r) => r.note]], o.products || [])));
}
