// Search across reports, incidents and journals (GET /api/v1/search), and the
// alerts when the server has an alerts API.
import {get} from './api.js';
import {h, replace, field, select, badge} from './dom.js';
import {t} from './i18n.js';
import {state} from './state.js';

export async function searchView(root) {
  const q = h('input', {type: 'search', name: 'q', id: 'search-q', placeholder: t('Words, reference, e-mail, IP…')});
  const kind = select([['', t('All')], ['incident', t('Incidents')], ['report', t('Reports')], ['journal', t('Journals')]], '', {name: 'kind'});
  const out = h('div', {id: 'search-results', 'aria-live': 'polite'});
  const params = new URLSearchParams((location.hash.split('?')[1]) || '');
  async function run() {
    if (!q.value.trim()) { replace(out); return; }
    try {
      const res = await get('/api/v1/search', {q: q.value, kind: kind.value, limit: 50});
      const items = res.items || [];
      if (state.alerts && (!kind.value)) {
        const al = await get('/api/v1/alerts', {q: q.value, limit: 20}).catch(() => ({items: []}));
        for (const a of al.items || []) items.push({kind: 'alert', id: a.id, snippet: a.title || a.rule || ''});
      }
      replace(out, items.length ? h('ul', {class: 'results'}, items.map((it) => {
        const href = it.kind === 'report' ? `#/reports/${it.id}` : it.kind === 'alert' ? '#/alerts' : `#/incidents/${it.incident_id || it.id}`;
        return h('li', badge(t(it.kind), it.kind), ' ', h('a', {href}, it.kind === 'journal' ? `#${it.incident_id}` : `#${it.id}`), ' ',
          h('span', {class: 'snippet'}, it.snippet || ''));
      })) : h('p', {class: 'muted'}, t('Nothing found.')));
    } catch (ex) { replace(out, h('p', {class: 'error'}, ex.message)); }
  }
  q.value = params.get('q') || '';
  replace(root, h('h1', t('Search')),
    h('form', {class: 'inline', role: 'search', on: {submit: (e) => { e.preventDefault(); run(); }}}, field(t('Search'), q), field(t('In'), kind), h('button', {type: 'submit'}, t('Search'))),
    out);
  state.keys = {search: () => q.focus()};
  q.focus();
  if (q.value) run();
}
