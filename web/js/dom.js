// DOM helpers. Every value from data goes in as text (createTextNode /
// textContent): no innerHTML anywhere in the console, so a "<script>" in a
// report title or an e-mail body stays inert text.
const SVG_NS = 'http://www.w3.org/2000/svg';

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'on') {
      for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    } else if (k === 'class') {
      el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    } else if (k === 'dataset') {
      for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = String(dv);
    } else if (k === 'value' && 'value' in el) {
      el.value = v;
    } else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden' || k === 'multiple' || k === 'required') {
      el[k] = !!v;
    } else if (k === 'style' || k.startsWith('on')) {
      throw new Error('inline style and handler attributes are not allowed (CSP)');
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// h('button', {class: 'x', on: {click}}, 'text', child, ...)
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs && (attrs instanceof Node || typeof attrs !== 'object' || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  setAttrs(el, attrs);
  return append(el, children);
}

export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  return append(el, children);
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

let uid = 0;
export function nextId(prefix = 'f') {
  uid += 1;
  return `${prefix}-${uid}`;
}

// A labelled form field: returns {row, input}.
export function field(label, input, hint) {
  if (!input.id) input.id = nextId();
  const row = h('div', {class: 'field'}, h('label', {for: input.id}, label), input,
    hint ? h('small', {class: 'hint'}, hint) : null);
  return row;
}

export function select(options, value, attrs = {}) {
  const s = h('select', attrs);
  for (const o of options) {
    const [v, label] = Array.isArray(o) ? o : [o, o];
    const opt = h('option', {value: v}, label);
    if (String(v) === String(value ?? '')) opt.selected = true;
    s.appendChild(opt);
  }
  return s;
}

export function fmtTime(s) {
  if (!s) return '—';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return String(s);
  return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function fmtLeft(ms) {
  if (ms === undefined || ms === null) return '';
  const neg = ms < 0;
  let m = Math.round(Math.abs(ms) / 60000);
  const d = Math.floor(m / 1440); m -= d * 1440;
  const hh = Math.floor(m / 60); m -= hh * 60;
  const s = (d ? `${d}d ` : '') + (d || hh ? `${hh}h ` : '') + `${m}m`;
  return neg ? `-${s}` : s;
}

export function badge(text, kind) {
  return h('span', {class: ['badge', kind ? `b-${String(kind).replace(/[^a-z0-9-]/gi, '-')}` : '']}, text);
}
