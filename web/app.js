// Vigie web console: a single-page application with hash routing.
// #/login, #/ (dashboard), #/reports, #/reports/ID, #/incidents, #/incidents/ID,
// #/registry, #/registry/ID, #/search, #/admin, #/report-new, #/alerts, #/alerts/ID, #/my-reports.
import {api, setCsrf, setUnauthorizedHandler} from './js/api.js';
import {h, replace, clear, field} from './js/dom.js';
import {t, setLang, getLang} from './js/i18n.js';
import {state, toast, isStaff, can} from './js/state.js';
import {dashboardView} from './js/dashboard.js';
import {reportsView, reportView} from './js/reports.js';
import {incidentsView} from './js/incidents.js';
import {incidentView} from './js/incident.js';
import {registryView, orgView} from './js/registry.js';
import {searchView} from './js/search.js';
import {adminView} from './js/admin.js';
import {reportFormView} from './js/constituent.js';
import {alertsView, alertView} from './js/alerts.js';
import {myReportsView} from './js/myreports.js';
import {showHelp, hideOverlay} from './js/keys.js';

const main = document.getElementById('main');
const top = document.getElementById('top');

setUnauthorizedHandler(() => {
  if (state.me) toast(t('Your session has ended: please log in again.'), 'warn');
  state.me = null;
  setCsrf('');
  if (!location.hash.startsWith('#/login')) {
    state.after = location.hash;
    location.hash = '#/login';
  } else {
    render();
  }
});

async function loadMe() {
  try {
    const me = await api('GET', '/api/v1/session/me', null, {noRedirect: true});
    state.me = me;
    setCsrf(me.csrf_token);
    if (!state.langOverride) setLang(me.user.language);
    // the alerts API: known from the caller's permissions (no second request)
    state.alerts = can('alert.read');
    return true;
  } catch {
    state.me = null;
    return false;
  }
}

function navLinks() {
  const links = [];
  if (isStaff()) {
    links.push(['#/', t('Dashboard')], ['#/reports', t('Reports')], ['#/incidents', t('Incidents')]);
    if (state.alerts) links.push(['#/alerts', t('Alerts')]);
    links.push(['#/registry', t('Registry')], ['#/search', t('Search')]);
    if (can('user.read') || can('audit.read')) links.push(['#/admin', t('Administration')]);
  } else {
    links.push(['#/incidents', t('My incidents')], ['#/my-reports', t('My reports')], ['#/report-new', t('Report an incident')]);
    if (can('org.read')) links.push(['#/registry/' + state.me.user.org_id, t('My organisation')]);
  }
  return links;
}

function renderTop() {
  if (!state.me) {
    top.hidden = true;
    return;
  }
  top.hidden = false;
  const here = location.hash || '#/';
  const u = state.me.user;
  replace(top,
    h('a', {class: 'brand', href: isStaff() ? '#/' : '#/incidents'}, 'Vigie'),
    h('nav', {'aria-label': t('Main')},
      h('ul', navLinks().map(([href, text]) => h('li', h('a', {
        href,
        'aria-current': (href === '#/' ? here === '#/' || here === '#' : here.startsWith(href)) ? 'page' : null,
      }, text))))),
    h('div', {class: 'who'},
      h('span', {class: 'user', title: u.role}, u.display_name || u.username),
      h('button', {type: 'button', class: 'link', 'aria-label': t('Switch language'), on: {click: () => {
        state.langOverride = true;
        setLang(getLang() === 'fr' ? 'en' : 'fr');
        render();
      }}}, getLang() === 'fr' ? 'EN' : 'FR'),
      h('button', {type: 'button', class: 'link', on: {click: showHelp}}, '?'),
      h('button', {type: 'button', id: 'logout', on: {click: () => logout(false)}}, t('Log out')),
      h('button', {type: 'button', id: 'logout-all', class: 'secondary', on: {click: () => logout(true)}}, t('Log out everywhere'))));
}

async function logout(all) {
  try { await api('POST', `/api/v1/session/logout${all ? '?all=true' : ''}`, null, {noRedirect: true}); } catch { /* ended anyway */ }
  state.me = null;
  setCsrf('');
  location.hash = '#/login';
}

function loginView(root) {
  const user = h('input', {name: 'username', autocomplete: 'username', required: true});
  const pass = h('input', {name: 'password', type: 'password', autocomplete: 'current-password', required: true});
  const err = h('p', {class: 'error', role: 'alert'});
  const form = h('form', {class: 'card login', on: {submit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      const s = await api('POST', '/api/v1/session/login', {username: user.value, password: pass.value}, {noRedirect: true});
      setCsrf(s.csrf_token);
      await loadMe();
      const next = state.after && !state.after.startsWith('#/login') ? state.after : (isStaff() ? '#/' : '#/incidents');
      state.after = null;
      location.hash = next;
      if (location.hash === next) render();
    } catch (ex) {
      err.textContent = ex.status === 429 ? t('Too many attempts: wait and try again.') : t('Wrong user name or password.');
    }
  }}},
  h('h1', 'Vigie'),
  h('p', {class: 'muted'}, t('CERT operations console')),
  field(t('User name'), user),
  field(t('Password'), pass),
  err,
  h('button', {type: 'submit'}, t('Log in')));
  replace(root, h('div', {class: 'login-wrap'}, form));
  user.focus();
}

const routes = [
  [/^#\/login$/, loginView, false],
  [/^#?\/?$/, (r) => (isStaff() ? dashboardView(r) : incidentsView(r)), true],
  [/^#\/reports$/, reportsView, true],
  [/^#\/reports\/(\d+)$/, reportView, true],
  [/^#\/incidents$/, incidentsView, true],
  [/^#\/incidents\/(\d+)$/, incidentView, true],
  [/^#\/registry$/, registryView, true],
  [/^#\/registry\/(\d+)$/, orgView, true],
  [/^#\/search$/, searchView, true],
  [/^#\/admin$/, adminView, true],
  [/^#\/report-new$/, reportFormView, true],
  [/^#\/alerts$/, alertsView, true],
  [/^#\/alerts\/(\d+)$/, alertView, true],
  [/^#\/my-reports$/, myReportsView, true],
];

let seq = 0;
export async function render() {
  const my = ++seq;
  hideOverlay();
  state.keys = null;
  const hash = (location.hash || '#/').split('?')[0];
  if (!state.me && hash === '#/login' && (await loadMe())) {
    // still logged in (another tab, a reload): no second login
    location.hash = isStaff() ? '#/' : '#/incidents';
    return;
  }
  if (!state.me && hash !== '#/login') {
    if (!(await loadMe())) {
      state.after = location.hash;
      location.hash = '#/login';
      return;
    }
  }
  if (my !== seq) return;
  renderTop();
  for (const [re, view, auth] of routes) {
    const m = hash.match(re);
    if (!m) continue;
    if (!auth && state.me && hash === '#/login') {
      location.hash = isStaff() ? '#/' : '#/incidents';
      return;
    }
    clear(main);
    const root = h('div', {class: 'view'});
    main.appendChild(root);
    try {
      await view(root, ...m.slice(1));
    } catch (ex) {
      if (ex.status !== 401) replace(root, h('p', {class: 'error', role: 'alert'}, t('Could not load this page: {msg}', {msg: ex.message})));
    }
    return;
  }
  replace(main, h('p', {class: 'error'}, t('Page not found.')));
}

window.addEventListener('hashchange', render);
render();
