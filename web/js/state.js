// Shared state of the console: who is logged in, and small UI helpers.
import {h} from './dom.js';

export const state = {me: null, after: null, alerts: false, langOverride: false, keys: null};

export function isStaff() {
  const r = state.me && state.me.user.role;
  return r === 'admin' || r === 'analyst';
}

export function can(action) {
  return !!(state.me && (state.me.can || []).includes(action));
}

let toastTimer = null;
export function toast(text, kind = 'ok') {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.className = `toast show t-${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.className = 'toast'; }, 4000);
}

// A "Previous / Next" pager over cursor pages: keeps the stack of cursors seen.
export function pager(load) {
  const stack = [null];
  let next = null;
  const prevB = h('button', {type: 'button', class: 'secondary', on: {click: () => { if (stack.length > 1) { stack.pop(); run(); } }}}, '‹');
  const nextB = h('button', {type: 'button', class: 'secondary', on: {click: () => { if (next) { stack.push(next); run(); } }}}, '›');
  const info = h('span', {class: 'muted'});
  const el = h('div', {class: 'pager'}, prevB, info, nextB);
  prevB.setAttribute('aria-label', 'previous page');
  nextB.setAttribute('aria-label', 'next page');
  async function run() {
    const page = await load(stack[stack.length - 1]);
    next = page.next_cursor || null;
    prevB.disabled = stack.length <= 1;
    nextB.disabled = !next;
    info.textContent = String(stack.length);
  }
  return {el, reset: () => { stack.length = 1; return run(); }, reload: run};
}
