// Edit forms: labelled fields that show the API's validation error next to
// the field it names ({"error":{"field":"org_ids[1]"}} lands under the
// organisations), the dialogs' buttons, and small value converters.
import {h, nextId} from './dom.js';
import {t} from './i18n.js';
import {hideOverlay} from './keys.js';

// A form whose fields are registered by API name: form.field(name, label,
// input) returns the row; form.fail(ex) puts the error under the field the
// API named (by its leading name: "tasks[0].title" -> "tasks"), else in the
// form's own error line; form.clear() empties them.
export function apiForm() {
  const rows = new Map();
  const general = h('p', {class: 'error', role: 'alert'});
  function field(name, label, input, hint) {
    const focusable = input.matches && input.matches('input, select, textarea') ? input
      : input.querySelector('select') || input.querySelector('input, textarea');
    const target = focusable || input;
    if (!target.id) target.id = nextId();
    const err = h('p', {class: 'error field-error', id: `${target.id}-err`, 'aria-live': 'polite'});
    target.setAttribute('aria-describedby', err.id);
    const row = h('div', {class: 'field', dataset: {field: name}}, h('label', {for: target.id}, label), input,
      hint ? h('small', {class: 'hint'}, hint) : null, err);
    rows.set(name, {row, err, target});
    return row;
  }
  function clear() {
    general.textContent = '';
    for (const r of rows.values()) { r.err.textContent = ''; r.target.removeAttribute('aria-invalid'); }
  }
  function fail(ex) {
    clear();
    const name = ex && ex.field ? String(ex.field).split(/[[.]/)[0] : '';
    const r = rows.get(name);
    if (r) {
      r.err.textContent = ex.message;
      r.target.setAttribute('aria-invalid', 'true');
      r.target.focus();
    } else {
      general.textContent = (ex && ex.message ? ex.message : String(ex)) + (ex && ex.field ? ` (${ex.field})` : '');
    }
  }
  return {field, fail, clear, general};
}

// "Save / Cancel" buttons of a dialog.
export function dialogButtons(saveLabel) {
  return h('div', {class: 'actions'}, h('button', {type: 'submit'}, saveLabel || t('Save')),
    h('button', {type: 'button', class: 'secondary', on: {click: hideOverlay}}, t('Cancel')));
}

// <input type=datetime-local> value (local time) <-> RFC 3339 UTC.
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
export function fromLocalInput(v) {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString().replace(/\.\d+Z$/, 'Z');
}

// Only the keys whose value changed (for PATCH).
export function changed(before, after) {
  const out = {};
  for (const [k, v] of Object.entries(after)) {
    if (v === undefined) continue;
    if (JSON.stringify(v) !== JSON.stringify(before[k] ?? (Array.isArray(v) ? [] : null))) out[k] = v;
  }
  return out;
}
