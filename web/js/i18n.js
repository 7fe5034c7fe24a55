// UI text in English and French. Keys are the English text; FR maps them to
// French. The language follows the user's setting (GET /api/v1/session/me ->
// user.language), with a switch in the header for this browser only.
import {FR, EN} from './i18n_fr.js';

let lang = 'en';

export function setLang(l) {
  lang = l && l.toLowerCase().startsWith('fr') ? 'fr' : 'en';
  document.documentElement.lang = lang;
}
export function getLang() { return lang; }

// t('Hello {name}', {name: 'x'})
export function t(key, params) {
  let s = lang === 'fr' && FR[key] !== undefined ? FR[key] : (EN[key] !== undefined ? EN[key] : key);
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
  return s;
}

export const STATUSES = ['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery', 'waiting', 'closed'];
export const SEVERITIES = ['low', 'medium', 'high', 'critical'];
export const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'];
export const REPORT_STATUSES = ['new', 'in_scope', 'forwarded', 'referred', 'merged', 'incident'];
export const ORG_KINDS = ['cert', 'ministry', 'public_body', 'local_authority', 'court', 'independent_authority', 'oiv', 'oes', 'partner_cert', 'isp', 'other'];

// Enumerated values shown to people.
export function label(kind, v) {
  if (v === null || v === undefined || v === '') return '—';
  return t(`${kind}:${v}`) === `${kind}:${v}` ? String(v).replace(/_/g, ' ') : t(`${kind}:${v}`);
}
