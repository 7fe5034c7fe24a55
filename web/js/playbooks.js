// Playbooks (administration): the latest version of each, a new playbook,
// a new version of one (POST /api/v1/playbooks with an existing slug).
// Tasks are typed one per line as "title | delay" (4h, 3d).
import {get, post} from './api.js';
import {h, replace, badge, fmtTime} from './dom.js';
import {t} from './i18n.js';
import {toast} from './state.js';
import {showDialog, hideOverlay} from './keys.js';
import {apiForm, dialogButtons} from './forms.js';

function delay(s) {
  if (!s) return '0h';
  for (const [u, n] of [['d', 86400], ['h', 3600], ['m', 60]]) if (s % n === 0) return `${s / n}${u}`;
  return `${s}s`;
}

export function parseTasks(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const i = l.lastIndexOf('|');
    return i < 0 ? {title: l, due_offset: ''} : {title: l.slice(0, i).trim(), due_offset: l.slice(i + 1).trim()};
  });
}

async function playbookDialog(pb, done) {
  const full = pb ? await get(`/api/v1/playbooks/${pb.id}`) : null;
  const f = apiForm();
  const slug = h('input', {name: 'slug', value: full ? full.slug : '', required: true, pattern: '[a-z0-9\\-]{1,64}', readonly: !!full});
  const title = h('input', {name: 'title', value: full ? full.title : '', required: true, maxlength: 256});
  const types = h('input', {name: 'types', value: full ? (full.types || []).join(', ') : ''});
  const tasks = h('textarea', {name: 'tasks', rows: 6});
  tasks.value = full ? (full.tasks || []).map((x) => `${x.title} | ${delay(x.due_offset_s)}`).join('\n') : '';
  const advice = h('textarea', {name: 'advice_md', rows: 8});
  advice.value = full ? full.advice_md || '' : '';
  showDialog(full ? t('New version of {title}', {title: full.title}) : t('New playbook'), h('form', {class: 'edit-playbook', on: {submit: async (e) => {
    e.preventDefault();
    f.clear();
    try {
      const res = await post('/api/v1/playbooks', {slug: slug.value, title: title.value,
        types: types.value.split(',').map((s) => s.trim()).filter(Boolean), tasks: parseTasks(tasks.value), advice_md: advice.value});
      hideOverlay();
      toast(t('Playbook {slug} version {v} saved.', {slug: res.slug, v: res.version}));
      done();
    } catch (ex) { f.fail(ex); }
  }}},
  h('div', {class: 'grid2'}, f.field('slug', t('Identifier'), slug, full ? t('A new version keeps the identifier.') : t('Lower case letters, digits and dashes.')),
    f.field('title', t('Title'), title)),
  f.field('types', t('RSIT types'), types, t('Comma-separated, e.g. phishing, ddos.')),
  f.field('tasks', t('Tasks'), tasks, t('One per line: title | delay (4h, 3d).')),
  f.field('advice_md', t('Advice for the victim (Markdown)'), advice),
  f.general, dialogButtons(full ? t('Save the new version') : t('Create'))));
}

export async function playbooksCard() {
  const tbody = h('tbody');
  async function load() {
    const r = await get('/api/v1/playbooks');
    replace(tbody, (r.items || []).map((pb) => h('tr', {dataset: {slug: pb.slug}}, h('td', pb.title), h('td', {class: 'mono'}, pb.slug), h('td', `v${pb.version}`),
      h('td', (pb.types || []).join(', ')), h('td', pb.builtin ? badge(t('shipped'), 'internal') : fmtTime(pb.created_at)),
      h('td', h('button', {type: 'button', class: 'link', 'aria-label': t('New version of {title}', {title: pb.title}), on: {click: () => playbookDialog(pb, load)}}, t('New version'))))));
  }
  await load();
  return h('section', {class: 'card', id: 'playbooks', 'aria-labelledby': 'playbooks-h'}, h('h2', {id: 'playbooks-h'}, t('Playbooks')),
    h('table', {class: 'list'}, h('thead', h('tr', ...[t('Title'), t('Identifier'), t('Version'), t('RSIT types'), t('Created'), ''].map((c) => h('th', c)))), tbody),
    h('div', {class: 'actions'}, h('button', {type: 'button', id: 'new-playbook', on: {click: () => playbookDialog(null, load)}}, t('New playbook'))));
}
