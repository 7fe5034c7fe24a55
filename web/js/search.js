// Search across reports, incidents and journals (GET /api/v1/search), and the
// alerts (GET /api/v1/alerts?q=: the search API does not index them) when the
// caller may read alerts; alert results lead to the alert's page.
import {get} from './api.js';
import {h, replace, field, select, badge, fmtTime} from './dom.js';
import {t, label} from './i18n.js';
import {state} from './state.js';

export async function searchView(root) {
  const q = h('input', {type: 'search', name: 'q', id: 'search-q', placeholder: t('Words, reference, e-mail, IP…')});
  const kinds = [['', t('All')], ['incident', t('Incidents')], ['report', t('Reports')], ['journal', t('Journals')]];
  if (state.alerts) kinds.push(['alert', t('Alerts')]);
  const params = new URLSearchParams((location.hash.split('?')[1]) || '');
  const kind = select(kinds, params.get('kind') || '', {name: 'kind', id: 'search-kind'});
  const out = h('div', {id: 'search-results', 'aria-live': 'polite'});
  async function run() {
    if (!q.value.trim()) { replace(out); return; }
    try {
      const text = q.value.trim();
      const wantAlerts = state.alerts && (!kind.value || kind.value === 'alert');
      const [res, al] = await Promise.all([
        kind.value === 'alert' ? {items: []} : get('/api/v1/search', {q: text, kind: kind.value, limit: 50}),
        // the alerts API matches words of the title (at most 128 characters)
        wantAlerts ? get('/api/v1/alerts', {q: text.slice(0, 128), status: '', limit: kind.value === 'alert' ? 50 : 20}).catch(() => ({items: []})) : {items: []},
      ]);
      const items = [...(res.items || [])];
      for (const a of al.items || []) items.push({kind: 'alert', id: a.id, snippet: a.title || a.rule_id || '', alert: a});
      history.replaceState(null, '', `#/search?${new URLSearchParams({q: text, ...(kind.value ? {kind: kind.value} : {})})}`);
      replace(out, items.length ? h('ul', {class: 'results'}, items.map((it) => {
        const href = it.kind === 'report' ? `#/reports/${it.id}` : it.kind === 'alert' ? `#/alerts/${it.id}` : `#/incidents/${it.incident_id || it.id}`;
        return h('li', {dataset: {kind: it.kind}}, badge(t(it.kind), it.kind), ' ', h('a', {href}, it.kind === 'journal' ? `#${it.incident_id}` : `#${it.id}`), ' ',
          h('span', {class: 'snippet'}, it.snippet || ''),
          it.alert ? [' ', badge(label('level', it.alert.severity), it.alert.severity), ' ', badge(label('astatus', it.alert.status), `a-${it.alert.status}`),
            ' ', h('span', {class: 'muted small'}, fmtTime(it.alert.last_seen))] : null);
      })) : h('p', {class: 'muted'}, t('Nothing found.')));
    } catch (ex) { replace(out, h('p', {class: 'error'}, ex.message)); }
  }
  kind.addEventListener('change', () => { if (q.value.trim()) run(); });
  q.value = params.get('q') || '';
  replace(root, h('h1', t('Search')),
    h('form', {class: 'inline', role: 'search', on: {submit: (e) => { e.preventDefault(); run(); }}}, field(t('Search'), q), field(t('In'), kind), h('button', {type: 'submit'}, t('Search'))),
    out);
  state.keys = {search: () => q.focus()};
  q.focus();
  if (q.value) run();
}
