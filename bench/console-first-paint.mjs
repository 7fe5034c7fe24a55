// Time to first content of the web console's main pages, in headless
// Chromium (Debian's /usr/bin/chromium driven by playwright-core from
// tests/e2e/node_modules), against `vigie serve` on a given database
// (bench/console-dataset.py makes one with a million incidents).
//
//   node bench/console-first-paint.mjs VIGIE_BIN DB [RUNS]
//
// Each measurement is a full page load (from about:blank: HTML, modules,
// GET /session/me, the view's API calls) until the view's first content is in
// the DOM; the time is performance.now() in the page at that moment, i.e.
// since the navigation started. Also given: the slowest API request of the
// page (Resource Timing). One warm-up load per page, then RUNS loads.
import {spawn} from 'node:child_process';
import {createRequire} from 'node:module';
import {mkdtempSync, rmSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import {createInterface} from 'node:readline';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(REPO, 'tests', 'e2e', 'package.json'));
const {chromium} = require('playwright-core');
const [vigie, db, runsArg] = process.argv.slice(2);
if (!vigie || !db) {
  console.error('usage: node bench/console-first-paint.mjs VIGIE_BIN DB [RUNS]');
  process.exit(2);
}
const RUNS = Number(runsArg || 10);
const ADMIN = ['admin', process.env.VIGIE_ADMIN_PASSWORD || 'correct horse battery staple'];
const CONSTITUENT = ['bench-constituent', 'bench constituent password'];

function serve() {
  const env = {...process.env, VIGIE_WEB_ROOT: join(REPO, 'web')};
  const proc = spawn(resolve(vigie), ['--db', db, 'serve', '--listen', '127.0.0.1:0'], {env, stdio: ['ignore', 'pipe', 'ignore']});
  const rl = createInterface({input: proc.stdout});
  return new Promise((res, rej) => {
    rl.on('line', (line) => {
      const m = line.match(/listening on https?:\/\/[^ ]*:(\d+)/);
      if (m) res({proc, base: `http://127.0.0.1:${m[1]}`});
    });
    proc.on('exit', (code) => rej(new Error(`vigie serve exited (${code})`)));
  });
}

async function apiLogin(base, [username, password]) {
  const r = await fetch(`${base}/api/v1/session/login`, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({username, password})});
  if (r.status !== 200) return null;
  return {cookie: (r.headers.get('set-cookie') || '').split(';')[0], csrf: (await r.json()).csrf_token};
}

async function call(base, s, method, path, body) {
  const r = await fetch(base + path, {method, headers: {Cookie: s.cookie, 'X-CSRF-Token': s.csrf, 'Content-Type': 'application/json'}, body: body ? JSON.stringify(body) : undefined});
  return {status: r.status, json: await r.json().catch(() => null)};
}

async function login(page, base, [username, password]) {
  await page.context().clearCookies();
  await page.goto(`${base}/#/login`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('form.login button[type=submit]').click();
  await page.waitForSelector('#logout');
}

// Load url from about:blank; resolve with the page's clock when sel appears
// (and, for the dashboard, when the first chart is drawn: complete).
async function measure(page, url, sel, complete) {
  await page.goto('about:blank');
  await page.goto(url, {waitUntil: 'commit'});
  const ms = await page.evaluate((s) => new Promise((res) => {
    const check = () => (document.querySelector(s) ? res(performance.now()) : requestAnimationFrame(check));
    check();
  }), sel);
  const done = complete ? await page.evaluate((c) => new Promise((res) => {
    const check = () => (document.querySelector(c) && window.Chart && window.Chart.getChart(document.querySelector(c)) ? res(performance.now()) : requestAnimationFrame(check));
    check();
  }), complete) : null;
  const apis = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/'))
    .map((e) => ({name: e.name.replace(/^https?:\/\/[^/]+/, ''), ms: e.duration})));
  const slowest = apis.sort((a, b) => b.ms - a.ms)[0] || {name: '', ms: 0};
  return {ms, done, slowest};
}

const q = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];

// CPU time (user + system, ms) the server spent so far: /proc/PID/stat,
// in clock ticks of 10 ms.
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

// The server's CPU per request of each API call the pages make, n requests
// one after the other: a figure that does not depend on the machine's load.
async function apiCpu(base, pid, s, paths, n = 20) {
  const rows = [];
  for (const [who, path] of paths) {
    await call(base, s[who], 'GET', path);
    const c0 = cpuMs(pid), t0 = performance.now();
    for (let i = 0; i < n; i++) await call(base, s[who], 'GET', path);
    rows.push(`| ${who} | \`${path}\` | ${n} | ${((cpuMs(pid) - c0) / n).toFixed(1)} | ${((performance.now() - t0) / n).toFixed(1)} |`);
  }
  return rows;
}

async function main() {
  const {proc, base} = await serve();
  const dir = mkdtempSync(join(tmpdir(), 'vg-bench-chromium-'));
  let context;
  try {
    const adm = await apiLogin(base, ADMIN);
    if (!adm) throw new Error('admin login failed');
    const newest = (await call(base, adm, 'GET', '/api/v1/incidents?limit=1')).json.items[0];
    const orgId = newest.org_id || 1;
    const u = await call(base, adm, 'POST', '/api/v1/users', {username: CONSTITUENT[0], password: CONSTITUENT[1], role: 'constituent', org_id: orgId, language: 'en'});
    if (u.status !== 201 && u.status !== 409) throw new Error(`constituent: ${u.status} ${JSON.stringify(u.json)}`);
    const counts = await call(base, adm, 'GET', '/api/v1/stats');
    console.log(`store: ${db}; open incidents ${counts.json.open.total}; incident page: ${newest.reference} (id ${newest.id})`);
    context = await chromium.launchPersistentContext(dir, {executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
      viewport: {width: 1280, height: 800}, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']});
    const page = await context.newPage();
    const pages = [
      ['analyst', 'dashboard', '#/', '#kpis', '#c-sectors'],
      ['analyst', 'incident list', '#/incidents', '#incident-list tbody tr[data-id]'],
      ['analyst', 'incident page', `#/incidents/${newest.id}`, 'h1.title'],
      ['analyst', 'report queue', '#/reports', '#report-list tbody tr[data-id]'],
      ['constituent', 'my incidents', '#/incidents', '#incident-list tbody tr[data-id]'],
      ['constituent', 'my reports', '#/my-reports', '#report-status-list tbody tr'],
    ];
    const rows = [];
    let who = null;
    for (const [role, name, hash, sel, complete] of pages) {
      if (who !== role) { await login(page, base, role === 'analyst' ? ADMIN : CONSTITUENT); who = role; }
      await measure(page, base + '/' + hash, sel, complete); // warm-up
      const ms = [], done = [];
      let slow = {name: '', ms: 0};
      for (let i = 0; i < RUNS; i++) {
        const m = await measure(page, base + '/' + hash, sel, complete);
        ms.push(m.ms);
        if (m.done !== null) done.push(m.done);
        if (m.slowest.ms > slow.ms) slow = m.slowest;
      }
      ms.sort((a, b) => a - b);
      done.sort((a, b) => a - b);
      rows.push(`| ${role} | ${name} | ${RUNS} | ${q(ms, 0.5).toFixed(0)} | ${q(ms, 0.9).toFixed(0)} | ${ms[ms.length - 1].toFixed(0)} | ${done.length ? `${q(done, 0.5).toFixed(0)} / ${done[done.length - 1].toFixed(0)}` : ''} | \`${slow.name.slice(0, 60)}\` ${slow.ms.toFixed(0)} |`);
      console.error(rows[rows.length - 1]);
    }
    const con = await apiLogin(base, CONSTITUENT);
    const cpu = await apiCpu(base, proc.pid, {analyst: adm, constituent: con}, [
      ['analyst', '/api/v1/session/me'], ['analyst', '/api/v1/stats'], ['analyst', '/api/v1/deadlines?limit=15'],
      ['analyst', '/api/v1/incidents?status=open&limit=50'], ['analyst', `/api/v1/incidents/${newest.id}`],
      ['analyst', '/api/v1/reports?status=new&limit=50'], ['constituent', '/api/v1/stats'],
      ['constituent', '/api/v1/incidents?status=open&limit=50'], ['constituent', '/api/v1/reports?limit=20']]);
    console.log('\n| user | API request | n | server CPU ms per request | wall ms per request |\n|---|---|---:|---:|---:|');
    console.log(cpu.join('\n'));
    console.log('\n| user | page | runs | first content: median ms | p90 ms | max ms | charts drawn: median / max ms | slowest API request (its max, ms) |\n|---|---|---:|---:|---:|---:|---:|---|');
    console.log(rows.join('\n'));
  } finally {
    if (context) await context.close();
    rmSync(dir, {recursive: true, force: true});
    proc.kill('SIGTERM');
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
