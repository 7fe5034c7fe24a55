// Keyboard shortcuts in the queues (j/k move, x select, Enter open, a assign
// or accept, m merge, / search) and the help overlay (?). A view registers
// its handlers in state.keys; keys typed into a form field are left alone.
import {h, replace} from './dom.js';
import {t} from './i18n.js';
import {state} from './state.js';

const overlay = () => document.getElementById('overlay');
let lastFocus = null;

export function hideOverlay() {
  const o = overlay();
  if (o && !o.hidden) {
    o.hidden = true;
    replace(o);
    if (lastFocus && lastFocus.focus) lastFocus.focus();
  }
}

// A modal dialog in the overlay; returns the dialog element.
export function showDialog(title, ...content) {
  const o = overlay();
  lastFocus = document.activeElement;
  const close = h('button', {type: 'button', class: 'link close', 'aria-label': t('Close'), on: {click: hideOverlay}}, '×');
  const dlg = h('div', {class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'dlg-title'},
    h('div', {class: 'dialog-head'}, h('h2', {id: 'dlg-title'}, title), close), ...content);
  replace(o, dlg);
  o.hidden = false;
  const first = dlg.querySelector('input, select, textarea, button:not(.close)');
  (first || close).focus();
  return dlg;
}

export function showHelp() {
  const rows = [
    ['j / k', t('Next / previous item in a queue')],
    ['x', t('Select the item (bulk actions)')],
    ['Enter / o', t('Open the item')],
    ['a', t('Assign the incident to me / accept the report as a new incident')],
    ['a', t('Alerts: acknowledge the alert')],
    ['m', t('Merge into an incident')],
    ['m', t('Alerts: merge the alert into an incident (or a new one)')],
    ['/', t('Search')],
    ['?', t('This help')],
    ['Esc', t('Close')],
  ];
  showDialog(t('Keyboard shortcuts'),
    h('table', {class: 'keys'}, h('tbody', rows.map(([k, d]) => h('tr', h('th', h('kbd', k)), h('td', d))))));
}

function typing(el) {
  if (el && el.tagName === 'INPUT' && (el.type === 'checkbox' || el.type === 'radio' || el.type === 'button')) return false;
  return el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') {
    if (!overlay().hidden) { e.preventDefault(); hideOverlay(); }
    else if (typing(document.activeElement)) document.activeElement.blur();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey || typing(document.activeElement) || !overlay().hidden) return;
  if (e.key === '?') { e.preventDefault(); showHelp(); return; }
  const k = state.keys;
  if (e.key === '/') {
    e.preventDefault();
    if (k && k.search) k.search(); else location.hash = '#/search';
    return;
  }
  if (!k) return;
  const map = {j: k.next, k: k.prev, x: k.toggle, a: k.assign, m: k.merge, o: k.open, Enter: k.open};
  const fn = map[e.key];
  if (fn) { e.preventDefault(); fn(); }
});

// A keyboard-navigable list of rows: returns helpers for the view.
export function queueNav(getRows, handlers) {
  let cur = -1;
  function mark(i) {
    const rows = getRows();
    if (!rows.length) return;
    cur = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, n) => r.classList.toggle('current', n === cur));
    rows[cur].scrollIntoView({block: 'nearest'});
    const f = rows[cur].querySelector('a') || rows[cur].querySelector('input');
    if (f) f.focus({preventScroll: true});
  }
  const current = () => getRows()[cur] || null;
  state.keys = {
    next: () => mark(cur + 1),
    prev: () => mark(cur - 1),
    toggle: () => { const r = current(); const c = r && r.querySelector('input[type=checkbox]'); if (c) { c.checked = !c.checked; c.dispatchEvent(new Event('change')); } },
    open: () => { const r = current(); if (r && handlers.open) handlers.open(r); },
    assign: () => { const r = current(); if (r && handlers.assign) handlers.assign(r); },
    merge: () => { const r = current(); if (r && handlers.merge) handlers.merge(r); },
    search: handlers.search,
  };
  // markId: make the row of this id current again (after a reload)
  const markId = (id) => { const i = getRows().findIndex((r) => r.dataset.id === String(id)); if (i >= 0) mark(i); };
  return {reset: () => { cur = -1; }, current, mark, markId};
}
