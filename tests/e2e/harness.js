// End-to-end harness: starts the real `vigie` binary on a free loopback port
// with a fresh database and an admin account, seeds data through the API, and
// drives Debian's headless Chromium with playwright-core (no browser download).
//
// Environment: VIGIE_BIN (default build-asan/vigie from the repo root),
// CHROMIUM (default /usr/bin/chromium), VIGIE_E2E_SCREENSHOTS=0 to skip
// writing docs/screenshots/*.png.
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, mkdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import {createInterface} from 'node:readline';
import {chromium} from 'playwright-core';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ADMIN_PASSWORD = 'correct horse battery staple';
const VIGIE = resolve(REPO, process.env.VIGIE_BIN || 'build-asan/vigie');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SHOTS = process.env.VIGIE_E2E_SCREENSHOTS === '0' ? null : join(REPO, 'docs', 'screenshots');

function env(extra) {
  // vigie refuses unknown VIGIE_* variables: keep the test's own out of its environment
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'VIGIE_BIN' && !k.startsWith('VIGIE_E2E_')));
  return {
    ...base,
    VIGIE_TEST_FAST_HASH: '1',
    VIGIE_WEB_ROOT: join(REPO, 'web'),
    ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=0',
    ...extra,
  };
}

export class Server {
  async start() {
    this.dir = mkdtempSync(join(tmpdir(), 'vg-e2e-'));
    this.db = join(this.dir, 'vigie.db');
    const r = spawnSync(VIGIE, ['--db', this.db, 'setup'], {env: env({VIGIE_ADMIN_PASSWORD: ADMIN_PASSWORD}), encoding: 'utf8'});
    if (r.status !== 0) throw new Error(`vigie setup failed (${VIGIE}): ${r.stderr || r.error}`);
    this.stderr = '';
    this.proc = spawn(VIGIE, ['--db', this.db, 'serve', '--listen', '127.0.0.1:0'], {env: env(), stdio: ['ignore', 'pipe', 'pipe']});
    this.proc.stderr.on('data', (b) => { this.stderr += b.toString(); });
    const rl = createInterface({input: this.proc.stdout});
    this.port = await new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`server did not start:\n${this.stderr}`)), 30000);
      rl.on('line', (line) => {
        const m = line.match(/listening on https?:\/\/[^ ]*:(\d+)/);
        if (m) { clearTimeout(timer); res(Number(m[1])); }
      });
      this.proc.on('exit', (code) => { clearTimeout(timer); rej(new Error(`server exited (${code}):\n${this.stderr}`)); });
    });
    this.base = `http://127.0.0.1:${this.port}`;
    return this;
  }

  async stop() {
    const died = this.proc && this.proc.exitCode !== null;
    if (died) throw new Error(`the server died (${this.proc.exitCode}):\n${this.stderr.slice(-6000)}`);
    if (this.proc && this.proc.exitCode === null) {
      const done = new Promise((res) => this.proc.on('exit', res));
      this.proc.kill('SIGTERM');
      await done;
    }
    if (this.dir) rmSync(this.dir, {recursive: true, force: true});
    if (/AddressSanitizer|runtime error:/.test(this.stderr || '')) throw new Error(`sanitizer report from the server:\n${this.stderr.slice(-6000)}`);
  }

  // Run a vigie command on this server's database (e.g. `detect` feeding alerts).
  cli(args, input = '') {
    return spawnSync(VIGIE, ['--db', this.db, ...args], {env: env(), input, encoding: 'utf8'});
  }

  // An API client with its own session (cookie + CSRF token).
  async client(username = 'admin', password = ADMIN_PASSWORD) {
    const c = new Client(this.base);
    await c.login(username, password);
    return c;
  }
}

export class Client {
  constructor(base) { this.base = base; this.cookie = ''; this.csrf = ''; }
  async login(username, password) {
    const r = await fetch(`${this.base}/api/v1/session/login`, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({username, password})});
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
    this.cookie = (r.headers.get('set-cookie') || '').split(';')[0];
    this.csrf = (await r.json()).csrf_token;
  }
  async req(method, path, body) {
    const headers = {Cookie: this.cookie};
    if (method !== 'GET') headers['X-CSRF-Token'] = this.csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(this.base + path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
  get(p) { return this.req('GET', p); }
  post(p, b = {}) { return this.req('POST', p, b); }
  patch(p, b) { return this.req('PATCH', p, b); }
}

export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'vg-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: {width: 1280, height: 800},
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const close = async () => { await context.close(); rmSync(userDataDir, {recursive: true, force: true}); };
  return {context, close};
}

// A page that records dialogs (alert/confirm: an XSS would fire one),
// console errors and CSP violations.
export async function newPage(context) {
  const page = await context.newPage();
  page.dialogs = [];
  page.errors = [];
  page.on('dialog', async (d) => { page.dialogs.push(d.message()); await d.dismiss(); });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  // 401 (not logged in yet, wrong password) and 404 (another organisation's
  // object) are expected answers; anything else is an error of the page.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 40[14]/.test(m.text())) page.errors.push(m.text());
  });
  return page;
}

export async function loginUI(page, base, username, password) {
  await page.context().clearCookies(); // each test logs in afresh
  await page.goto(`${base}/#/login`);
  await page.getByLabel(/User name|Nom d'utilisateur/).fill(username);
  await page.getByLabel(/^(Password|Mot de passe)$/).fill(password);
  await page.getByRole('button', {name: /Log in|Se connecter/}).click();
  await page.waitForSelector('#logout');
}

export async function shot(page, name, {fullPage = false, keepScroll = false} = {}) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, {recursive: true});
  if (!keepScroll) await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate(() => { document.getElementById('toast').className = 'toast'; });
  await page.screenshot({path: join(SHOTS, `${name}.png`), fullPage});
}

// Seed: organisations, a partner CERT, a constituent user, reports, incidents
// sharing observables (so that the related-incident graph has edges).
export async function seed(admin) {
  const org = await admin.post('/api/v1/orgs', {
    name: 'Ministère de la Transition', short_name: 'MTE', kind: 'ministry', sector: 'public_administration', nis2: 'essential',
    domains: [{domain: 'transition.gouv.example'}], networks: [{cidr: '192.0.2.0/24'}], asns: [{asn: 64500}],
    contacts: [{name: 'RSSI MTE', role: 'security officer', email: 'rssi@transition.gouv.example'}],
    products: [{cpe: 'cpe:2.3:a:apache:http_server:2.4.57:*:*:*:*:*:*:*'}],
  });
  const other = await admin.post('/api/v1/orgs', {
    name: 'Hôpital Régional Nord', kind: 'oes', sector: 'health', nis2: 'important',
    domains: [{domain: 'chr-nord.example'}], networks: [{cidr: '198.51.100.0/24'}],
    contacts: [{name: 'SOC CHR', email: 'soc@chr-nord.example'}],
  });
  const partner = await admin.post('/api/v1/orgs', {name: 'CERT Partenaire', kind: 'partner_cert', sector: 'digital_infrastructure', country: 'BE', contacts: [{name: 'Duty desk', email: 'cert@partner.example'}]});
  await admin.post('/api/v1/users', {username: 'rssi', password: 'constituent password 1', role: 'constituent', org_id: org.id, language: 'fr', display_name: 'RSSI MTE', email: 'rssi@transition.gouv.example'});
  await admin.post('/api/v1/users', {username: 'soc-chr', password: 'constituent password 2', role: 'constituent', org_id: other.id, language: 'en'});
  // incidents: two of the ministry and one of the hospital share an IP and a domain
  const mk = async (o, title, sev, tax, type, obs, description) => {
    const inc = await admin.post('/api/v1/incidents', {title, severity: sev, taxonomy: tax, type, org_id: o.id, tlp: 'amber', description});
    if (obs.length) await admin.post(`/api/v1/incidents/${inc.id}/observables`, {observables: obs.map((v) => ({value: v}))});
    return inc;
  };
  const i1 = await mk(org, 'Ransomware on file servers', 'critical', 'malicious-code', 'infected-system', ['185.220.101.34', 'cdn-update-check.net', '9e107d9d372bb6826bd81d3542a419d6'],
    'Files on **three file servers** are encrypted; the ransom note is `README_RESTORE.txt`.\n\n- servers isolated from the network\n- backups checked: the last clean one is from *Sunday*\n\nSee the [RSIT definition](https://github.com/enisaeu/Reference-Security-Incident-Taxonomy-Task-Force).');
  const i2 = await mk(org, 'Phishing wave targeting agents', 'high', 'fraud', 'phishing', ['cdn-update-check.net', 'transition-gouv-login.com']);
  const i3 = await mk(other, 'Beaconing from radiology workstation', 'high', 'malicious-code', 'c2-server', ['185.220.101.34', 'cdn-update-check.net']);
  const i4 = await mk(other, 'DDoS on patient portal', 'medium', 'availability', 'ddos', []);
  await admin.post(`/api/v1/incidents/${i4.id}/journal`, {kind: 'reply', visible: true, body: 'We are mitigating with the hosting provider.'});
  await admin.post(`/api/v1/incidents/${i2.id}/journal`, {kind: 'note', visible: false, body: 'Internal: the kit matches the March campaign.'});
  await admin.post(`/api/v1/incidents/${i1.id}/status`, {status: 'analysis'});
  const reports = [];
  reports.push(await admin.post('/api/v1/reports', {subject: 'Suspicious e-mails with fake login page', body: 'Several agents received mails linking to http://transition-gouv-login.com/ from 185.220.101.34.', reporter_email: 'rssi@transition.gouv.example', org_id: org.id}));
  reports.push(await admin.post('/api/v1/reports', {subject: 'My home PC has a virus', body: 'Hello, my personal computer shows ransom messages.', reporter_email: 'someone@mail.example'}));
  reports.push(await admin.post('/api/v1/reports', {subject: 'Scan from 198.51.100.20', body: 'Port scans seen from your network 198.51.100.20.', reporter_email: 'abuse@isp.example'}));
  return {org, other, partner, incidents: [i1, i2, i3, i4], reports};
}
