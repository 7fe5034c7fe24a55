// End-to-end tests of the web console in headless Chromium, against the real
// daemon. Run: cd tests/e2e && npm install && node --test
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync, existsSync} from 'node:fs';
import {join} from 'node:path';
import {spawnSync} from 'node:child_process';
import {Server, launch, newPage, loginUI, seed, shot, ADMIN_PASSWORD, REPO} from './harness.js';

let server, admin, data, browser;

before(async () => {
  server = await new Server().start();
  admin = await server.client();
  data = await seed(admin);
  browser = await launch();
});

// SQL on the test server's database file, behind the server's back (python3's sqlite3)
function sql(query, params = []) {
  const py = 'import json, sqlite3, sys\nc = sqlite3.connect(sys.argv[1], timeout=10)\nrows = c.execute(sys.argv[2], json.loads(sys.argv[3])).fetchall()\nc.commit()\nprint(json.dumps(rows))';
  const r = spawnSync('python3', ['-c', py, server.db, query, JSON.stringify(params)], {encoding: 'utf8'});
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('static files: CSP, content types, no traversal or hidden files', async () => {
  const r = await fetch(`${server.base}/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.headers.get('content-security-policy'), /script-src 'self'/);
  assert.ok(r.headers.get('etag'));
  const html = await r.text();
  assert.doesNotMatch(html, /<script>|style=|onclick=/i, 'no inline script, style or handler');
  const etag = r.headers.get('etag');
  assert.equal((await fetch(`${server.base}/`, {headers: {'If-None-Match': etag}})).status, 304);
  const js = await fetch(`${server.base}/ui/app.js`);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  const chart = await fetch(`${server.base}/ui/vendor/chart.js/chart.min.js`);
  assert.equal(chart.status, 200, 'Chart.js from libjs-chart.js');
  for (const bad of ['/ui/..%2Findex.html', '/ui/%2e%2e/etc/passwd', '/ui/.hidden.js', '/ui/js/..%2F..%2Fetc%2Fpasswd', '/ui/vendor/jquery/jquery.js', '/ui/index.sh', '/ui/js']) {
    assert.equal((await fetch(server.base + bad)).status, 404, bad);
  }
});

test('log in, dashboard with charts fed by /api/v1/stats, help overlay, log out', async () => {
  const page = await newPage(browser.context);
  const requests = [];
  page.on('request', (r) => { if (r.url().includes('/api/')) requests.push(new URL(r.url()).pathname); });
  await page.goto(`${server.base}/`);
  await page.waitForSelector('form.login');
  await shot(page, 'login');
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', {name: 'Log in'}).click();
  await page.getByText('Wrong user name or password.').waitFor();
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', {name: 'Log in'}).click();
  await page.getByRole('heading', {name: 'Dashboard'}).waitFor();
  await page.waitForSelector('#c-status');
  // Chart.js drew on the canvases
  await page.waitForFunction(() => window.Chart && window.Chart.getChart(document.getElementById('c-alerts')));
  // seven incident charts and the alerts by level (the admin may read alerts)
  assert.equal(await page.locator('canvas').count(), 8);
  // the figures are the server's aggregates, not counted in the browser
  const stats = await admin.get('/api/v1/stats');
  assert.equal(stats.open.total, 4);
  assert.match(await page.locator('#kpis').innerText(), /4\s+open incidents/);
  assert.match(await page.locator('#kpis').innerText(), new RegExp(`${stats.overdue.total}\\s+overdue clocks`));
  const chartData = (id) => page.evaluate((c) => window.Chart.getChart(document.getElementById(c)).data.datasets.map((d) => d.data), id);
  assert.deepEqual((await chartData('c-sev'))[0], ['low', 'medium', 'high', 'critical'].map((v) => stats.open.by_severity[v]));
  assert.deepEqual((await chartData('c-sev'))[0], [0, 1, 2, 1]);
  assert.deepEqual((await chartData('c-orgs'))[0], stats.top_orgs.map((o) => o.count));
  assert.deepEqual((await chartData('c-sectors'))[0], [2, 2]);
  const [opened, closed] = await chartData('c-time');
  assert.equal(opened.length, 30);
  assert.equal(opened[29], stats.days[29].opened);
  assert.equal(opened.reduce((a, b) => a + b, 0), 4);
  assert.equal(closed.reduce((a, b) => a + b, 0), 0);
  assert.ok(requests.includes('/api/v1/stats'), requests.join(' '));
  assert.ok(!requests.includes('/api/v1/incidents') && !requests.includes('/api/v1/orgs'), `no list read to count: ${requests.join(' ')}`);
  await shot(page, 'dashboard');
  // another period: the series follows
  await page.locator('#stats-range').selectOption('7');
  await page.waitForFunction(() => window.Chart && window.Chart.getChart(document.getElementById('c-time')) &&
    window.Chart.getChart(document.getElementById('c-time')).data.labels.length === 7);
  await page.keyboard.press('?');
  await page.getByRole('dialog', {name: 'Keyboard shortcuts'}).waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await page.getByRole('dialog').count(), 0);
  await page.locator('#logout').click();
  await page.waitForSelector('form.login');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('triage a report into an incident from the queue, with the keyboard', async () => {
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/reports`);
  await page.waitForSelector('#report-list tr[data-id]');
  await shot(page, 'report-queue');
  const rep = data.reports[0];
  const rows = page.locator('#report-list tr[data-id]');
  const n = await rows.count();
  let idx = -1;
  for (let i = 0; i < n; i++) if (await rows.nth(i).getAttribute('data-id') === String(rep.id)) idx = i;
  assert.ok(idx >= 0);
  await page.locator('h1').click();
  const current = () => page.locator('#report-list tr.current').getAttribute('data-id');
  for (let i = 0; i <= idx; i++) await page.keyboard.press('j');
  assert.equal(await current(), String(rep.id));
  // k moves up, j back down (or, on the last row, j stays and k moves up)
  if (idx > 0) {
    await page.keyboard.press('k');
    assert.equal(await current(), await rows.nth(idx - 1).getAttribute('data-id'), 'k: the row above');
    await page.keyboard.press('j');
  } else if (n > 1) {
    await page.keyboard.press('j');
    assert.equal(await current(), await rows.nth(1).getAttribute('data-id'));
    await page.keyboard.press('k');
  }
  assert.equal(await current(), String(rep.id));
  assert.equal(await page.locator('#report-list tr.current').count(), 1, 'one current row');
  await page.keyboard.press('a');
  const dlg = page.getByRole('dialog');
  await dlg.waitFor();
  await dlg.getByLabel('Incident title').fill('Phishing: fake login page for agents');
  await dlg.getByLabel('Severity').selectOption('high');
  await dlg.getByLabel('RSIT category').selectOption('fraud');
  await dlg.getByLabel('RSIT type').selectOption('phishing');
  await dlg.getByRole('button', {name: 'Apply'}).click();
  await page.getByText('Decision recorded.').waitFor();
  const after = await admin.get(`/api/v1/reports/${rep.id}`);
  assert.equal(after.status, 'incident');
  assert.ok(after.incident_id);
  const inc = await admin.get(`/api/v1/incidents/${after.incident_id}`);
  assert.equal(inc.title, 'Phishing: fake login page for agents');
  assert.equal(inc.type, 'phishing');
  // the report left the "new" queue
  await page.waitForFunction((id) => !document.querySelector(`#report-list tr[data-id="${id}"]`), rep.id);
  // bulk: refer the out-of-scope report
  const home = data.reports[1];
  await page.locator(`#report-list tr[data-id="${home.id}"] input[type=checkbox]`).check();
  await page.getByRole('button', {name: 'Refer'}).click();
  await page.getByRole('dialog').getByRole('button', {name: 'Apply'}).click();
  await page.getByText('Decision recorded.').waitFor();
  assert.equal((await admin.get(`/api/v1/reports/${home.id}`)).status, 'referred');
  // forward the scan report to the partner CERT from the report page
  const scan = data.reports[2];
  await page.goto(`${server.base}/#/reports/${scan.id}`);
  await page.locator('button[data-decision=forward]').click();
  const fwd = page.getByRole('dialog');
  await fwd.getByLabel('Partner CERT', {exact: true}).locator(`option[value="${data.partner.id}"]`).waitFor({state: 'attached'});
  await fwd.getByLabel('Partner CERT', {exact: true}).selectOption(String(data.partner.id));
  await fwd.getByRole('button', {name: 'Apply'}).click();
  await page.locator('dl.facts').getByText('forwarded', {exact: true}).waitFor();
  const fwdRep = await admin.get(`/api/v1/reports/${scan.id}`);
  assert.equal(fwdRep.status, 'forwarded');
  assert.equal(fwdRep.partner_org_id, data.partner.id);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('keyboard in the queues: m merges a report into an existing incident, / searches, k moves up, a assigns an incident to me', async () => {
  const rep = await admin.post('/api/v1/reports', {subject: 'Same fake login page again', body: 'Another agent got the phishing mail.', reporter_email: 'agent@transition.gouv.example', org_id: data.org.id});
  const target = data.incidents[1]; // the phishing wave
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/reports`);
  await page.waitForSelector(`#report-list tr[data-id="${rep.id}"]`);
  // / focuses the queue's search box (and the key is not typed into it)
  await page.locator('h1').click();
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('name')), 'q');
  assert.equal(await page.evaluate(() => document.activeElement.value), '');
  await page.keyboard.press('Escape');
  assert.notEqual(await page.evaluate(() => document.activeElement.getAttribute('name')), 'q', 'Esc leaves the search box');
  // the newest report is the first row: j makes it current, m opens the merge dialog for it
  const ids = await page.locator('#report-list tr[data-id]').evaluateAll((rs) => rs.map((r) => r.dataset.id));
  const idx = ids.indexOf(String(rep.id));
  assert.ok(idx >= 0);
  for (let i = 0; i <= idx; i++) await page.keyboard.press('j');
  assert.equal(await page.locator('#report-list tr.current').getAttribute('data-id'), String(rep.id));
  await page.keyboard.press('m');
  const dlg = page.getByRole('dialog', {name: `Triage report ${rep.reference}`});
  await dlg.waitFor();
  assert.equal(await dlg.getByLabel('Decision').inputValue(), 'merge', 'm: the merge decision');
  // the incident picker: the search box has the focus; a typed id selects that incident
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Incident — search');
  await page.keyboard.type(String(target.id));
  await page.waitForFunction((id) => document.querySelector('.dialog select[aria-label="Incident"]').value === String(id), target.id);
  await dlg.getByRole('button', {name: 'Apply'}).click();
  await page.getByText('Decision recorded.').waitFor();
  const merged = await admin.get(`/api/v1/reports/${rep.id}`);
  assert.equal(merged.status, 'merged');
  assert.equal(merged.incident_id, target.id);
  await page.waitForSelector(`#report-list tr[data-id="${rep.id}"]`, {state: 'detached'});

  // the incident queue: j j k, then a assigns the current incident to me
  const me = (await admin.get('/api/v1/session/me')).user;
  const i3 = data.incidents[2];
  await admin.patch(`/api/v1/incidents/${i3.id}`, {assignee_id: null});
  await page.goto(`${server.base}/#/incidents`);
  await page.waitForSelector(`#incident-list tr[data-id="${i3.id}"]`);
  const incIds = await page.locator('#incident-list tr[data-id]').evaluateAll((rs) => rs.map((r) => r.dataset.id));
  const at = incIds.indexOf(String(i3.id));
  assert.ok(at >= 0 && incIds.length >= 2);
  await page.locator('h1').click();
  for (let i = 0; i <= at; i++) await page.keyboard.press('j');
  if (at + 1 < incIds.length) {
    await page.keyboard.press('j');
    assert.equal(await page.locator('#incident-list tr.current').getAttribute('data-id'), incIds[at + 1]);
    await page.keyboard.press('k');
  }
  assert.equal(await page.locator('#incident-list tr.current').getAttribute('data-id'), String(i3.id), 'k: back up');
  await page.keyboard.press('a');
  await page.getByText('Assigned to you.').waitFor();
  assert.equal((await admin.get(`/api/v1/incidents/${i3.id}`)).assignee_id, me.id);
  // the list shows it, and the cursor stays on that incident
  await page.waitForFunction((id) => { const r = document.querySelector(`#incident-list tr[data-id="${id}"]`); return r && /\bme\b/.test(r.innerText); }, i3.id);
  assert.equal(await page.locator('#incident-list tr.current').getAttribute('data-id'), String(i3.id));
  // / focuses the incident search box
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('placeholder')), 'Search incidents');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('merge two selected reports into an existing incident from the report queue (bulk Merge)', async () => {
  const a = await admin.post('/api/v1/reports', {subject: 'Radiology PC calls out at night', body: 'Beacons every 60 s.', reporter_email: 'soc@chr-nord.example', org_id: data.other.id});
  const b = await admin.post('/api/v1/reports', {subject: 'Second radiology PC beaconing', body: 'Same pattern on another workstation.', reporter_email: 'soc@chr-nord.example', org_id: data.other.id});
  const target = data.incidents[2]; // beaconing from radiology workstation
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/reports`);
  await page.waitForSelector(`#report-list tr[data-id="${b.id}"]`);
  assert.ok(await page.locator('button[data-decision=merge]').isDisabled(), 'nothing selected yet');
  await page.getByLabel(`Select ${a.reference}`).check();
  await page.getByLabel(`Select ${b.reference}`).check();
  await page.locator('button[data-decision=merge]').click();
  const dlg = page.getByRole('dialog', {name: 'Triage selected reports'});
  await dlg.waitFor();
  assert.match(await dlg.innerText(), /2 reports selected/);
  assert.equal(await dlg.getByLabel('Decision').inputValue(), 'merge');
  await dlg.getByPlaceholder('Reference, title or id').fill('Beaconing');
  await dlg.locator('select[aria-label="Incident"] option', {hasText: 'Beaconing from radiology workstation'}).waitFor({state: 'attached'});
  await dlg.getByLabel('Incident', {exact: true}).selectOption(String(target.id));
  await dlg.getByLabel('Notes').fill('Same campaign as the beaconing case.');
  await dlg.getByRole('button', {name: 'Apply'}).click();
  await page.getByText('Decision recorded.').waitFor();
  for (const r of [a, b]) {
    const got = await admin.get(`/api/v1/reports/${r.id}`);
    assert.equal(got.status, 'merged', r.reference);
    assert.equal(got.incident_id, target.id, r.reference);
  }
  // both left the "new" queue; the report page links to the incident
  await page.waitForFunction((ids) => ids.every((id) => !document.querySelector(`#report-list tr[data-id="${id}"]`)), [a.id, b.id]);
  await page.goto(`${server.base}/#/reports/${a.id}`);
  await page.locator(`dl.facts a[href="#/incidents/${target.id}"]`).waitFor();
  assert.ok(await page.locator('button[data-decision=merge]').isDisabled(), 'decided: no more triage');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('apply a playbook: tasks, draft advice, e-mail composer prefilled', async () => {
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  const inc = data.incidents[3]; // DDoS, no playbook yet
  await page.goto(`${server.base}/#/incidents/${inc.id}`);
  await page.waitForSelector('#playbook-select');
  const opt = await page.locator('#playbook-select option', {hasText: 'Denial of service'}).first().getAttribute('value');
  await page.locator('#playbook-select').selectOption(opt);
  await page.locator('#apply-playbook').click();
  await page.getByText('Playbook applied.').waitFor();
  await page.waitForSelector('#tasks li');
  assert.ok(await page.locator('#tasks li').count() >= 2, 'playbook tasks created');
  await page.waitForSelector('#journal .k-advice');
  const body = await page.locator('#mail-body').inputValue();
  assert.ok(body.length > 50, 'composer prefilled with the advice');
  const tasks = await admin.get(`/api/v1/incidents/${inc.id}/tasks`);
  assert.ok(tasks.items.length >= 2);
  // tick a task
  await page.locator('#tasks li input[type=checkbox]').first().check();
  await page.waitForFunction(() => document.querySelector('#tasks li.done'));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('related-incident graph through shared observables', async () => {
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  const [i1, , i3] = data.incidents;
  await page.goto(`${server.base}/#/incidents/${i1.id}`);
  await page.waitForSelector('#related-graph');
  const nodes = page.locator('#related-graph a.node.inc');
  assert.ok(await nodes.count() >= 3, 'root and at least two related incidents');
  assert.equal(await page.locator(`#related-graph a[data-incident="${i3.id}"]`).count(), 1);
  assert.ok(await page.locator('#related-graph line.edge').count() >= 2);
  assert.match(await page.locator('#related-list').innerText(), new RegExp(i3.reference));
  assert.match(await page.locator('#observables').innerText(), /cdn-update-check\.net/);
  await shot(page, 'incident', {fullPage: true});
  await page.locator('#related-s').scrollIntoViewIfNeeded();
  await shot(page, 'incident-graph', {keepScroll: true});
  // follow a node of the graph
  await page.locator(`#related-graph a[data-incident="${i3.id}"]`).click();
  await page.waitForFunction((ref) => document.querySelector('h1.title') && document.querySelector('h1.title').textContent.includes(ref), i3.reference);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('registry and lookup', async () => {
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/registry`);
  await page.waitForSelector('#org-list tbody tr');
  // what the lookup box shows: the organisation of the best match first
  const lookup = async (value, org, type, matched) => {
    await page.locator('#lookup-input').fill(value);
    await page.getByRole('button', {name: 'Look up'}).click();
    await page.waitForFunction(([v, m]) => {
      const li = document.querySelector('#lookup-result li.best');
      return document.getElementById('lookup-input').value === v && li && li.innerText.includes(m);
    }, [value, matched]);
    const best = page.locator('#lookup-result li.best');
    assert.equal(await best.count(), 1, value);
    assert.equal(await best.locator('a').innerText(), org, value);
    assert.equal(await best.locator('a').getAttribute('href'), `#/registry/${org === data.org.name ? data.org.id : data.other.id}`);
    assert.match(await best.innerText(), new RegExp(`${type}\\s+${matched.replace(/\./g, '\\.')}`), value);
  };
  await lookup('www.chr-nord.example', 'Hôpital Régional Nord', 'domain', 'chr-nord.example');
  await lookup('AS64500', 'Ministère de la Transition', 'asn', 'AS64500');
  await lookup('soc@chr-nord.example', 'Hôpital Régional Nord', 'email', 'soc@chr-nord.example');
  await lookup('192.0.2.10', 'Ministère de la Transition', 'network', '192.0.2.0/24');
  await shot(page, 'registry');
  await page.locator('#lookup-result a').first().click();
  await page.waitForSelector('#networks');
  assert.match(await page.locator('#networks').innerText(), /192\.0\.2\.0\/24/);
  assert.match(await page.locator('#contacts').innerText(), /rssi@transition\.gouv\.example/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('search across reports, incidents and journals', async () => {
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  const [i1] = data.incidents;
  const rep = await admin.post('/api/v1/reports', {subject: 'Ransomware note on a laptop', body: 'A ransom note appeared on a laptop of the legal department.', reporter_email: 'helpdesk@transition.gouv.example', org_id: data.org.id});
  await page.goto(`${server.base}/#/search?q=ransomware`);
  await page.locator('#search-results li').first().waitFor();
  const want = (await admin.get('/api/v1/search?q=ransomware&limit=50')).items;
  assert.ok(want.some((it) => it.kind === 'incident' && it.id === i1.id), JSON.stringify(want));
  assert.ok(want.some((it) => it.kind === 'report'), JSON.stringify(want));
  await page.waitForFunction((n) => document.querySelectorAll('#search-results li:not([data-kind=alert])').length === n, want.length);
  assert.equal(await page.locator(`#search-results li[data-kind=incident] a[href="#/incidents/${i1.id}"]`).count(), 1);
  assert.equal(await page.locator('#search-results li[data-kind=report]').count(), want.filter((it) => it.kind === 'report').length);
  assert.equal(await page.locator(`#search-results li[data-kind=report] a[href="#/reports/${rep.id}"]`).count(), 1);
  await shot(page, 'search');
  // only the reports
  await page.locator('#search-kind').selectOption('report');
  await page.waitForFunction(() => document.querySelectorAll('#search-results li').length > 0
    && [...document.querySelectorAll('#search-results li')].every((li) => li.dataset.kind === 'report'));
  assert.match(page.url(), /kind=report/);
  // follow a hit
  await page.locator(`#search-kind`).selectOption('incident');
  await page.locator(`#search-results a[href="#/incidents/${i1.id}"]`).click();
  await page.locator('h1.title').getByText('Ransomware on file servers').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('alerts written by vigie detect appear in the alerts queue', async (t) => {
  const sigma = join(REPO, '..', 'shared', 'data', 'sigma');
  const index = join(sigma, 'regression', 'index.tsv');
  if (!existsSync(index)) { t.skip('no SigmaHQ data'); return; }
  const [head, ...rows] = readFileSync(index, 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const row = Object.fromEntries(head.map((k, i) => [k, rows.find((r) => r[0] === '271de298-cc0e-4842-acd8-079a0a99ea65')[i]]));
  const r = server.cli(['detect', '-r', join(sigma, row.rule_path), '--mapping', join(REPO, 'etc', 'detect', 'windows.yml'), '-'],
    readFileSync(join(sigma, row.json_path), 'utf8'));
  assert.equal(r.status, 0, r.stderr);
  const list = await admin.get('/api/v1/alerts');
  assert.equal(list.items.length, 1);
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/alerts`);
  await page.locator('table.list tbody tr').first().waitFor();
  const text = await page.locator('table.list tbody').innerText();
  assert.match(text, new RegExp(`#${list.items[0].id}`));
  assert.match(text, /high/);
  assert.ok(text.includes(list.items[0].title), text);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('administration: users, tokens, audit log with chain verification', async () => {
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/admin`);
  await page.getByRole('heading', {name: 'Audit log'}).waitFor();
  await page.getByRole('cell', {name: 'rssi', exact: true}).waitFor();
  await page.locator('input[name=token-name]').fill('e2e script');
  await page.getByRole('button', {name: 'Create token'}).click();
  await page.locator('.secret code').waitFor();
  await page.locator('#verify-chain').click();
  await page.locator('#audit-verdict').getByText(/Chain intact: \d+ entries checked\./).waitFor();
  await shot(page, 'admin');

  // tamper with an entry behind the server's back (sqlite3 on the database
  // file): the viewer says the chain is broken and names the entry
  const target = (await admin.get('/api/v1/audit?limit=50')).items.map((a) => a.seq).sort((a, b) => a - b)[3];
  const actor = sql('SELECT actor FROM audit_log WHERE seq = ?', [target])[0][0];
  sql('UPDATE audit_log SET actor = ? WHERE seq = ?', ['mallory', target]);
  await page.locator('#verify-chain').click();
  await page.locator('#audit-verdict').getByText('Chain broken: 1 problem.').waitFor();
  assert.deepEqual(await page.locator('#audit-problems li').allInnerTexts(), [`#${target}: content does not match its hash (edited)`]);
  assert.equal(await page.locator('#audit-problems li').getAttribute('data-seq'), String(target));
  // in French
  await page.getByRole('button', {name: 'Switch language'}).click();
  await page.getByRole('heading', {name: 'Journal d\'audit'}).waitFor();
  await page.locator('#verify-chain').click();
  await page.locator('#audit-verdict').getByText('Chaîne rompue : 1 problème.').waitFor();
  assert.deepEqual(await page.locator('#audit-problems li').allInnerTexts(), [`#${target}: le contenu ne correspond pas à son empreinte (modifiée)`]);
  // put it back: intact again
  sql('UPDATE audit_log SET actor = ? WHERE seq = ?', [actor, target]);
  await page.locator('#verify-chain').click();
  await page.locator('#audit-verdict').getByText(/Chaîne intacte : \d+ entrées vérifiées\./).waitFor();
  assert.equal(await page.locator('#audit-problems').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a constituent sees only its own organisation, in French, and can reply and report', async () => {
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'rssi', 'constituent password 1');
  await page.goto(`${server.base}/#/incidents`);
  await page.getByRole('heading', {name: 'Incidents de mon organisation'}).waitFor();
  await page.waitForSelector('#incident-list tbody tr[data-id]');
  const text = await page.locator('#incident-list').innerText();
  const [i1, i2, i3, i4] = data.incidents;
  assert.match(text, new RegExp(i1.reference));
  assert.match(text, new RegExp(i2.reference));
  assert.doesNotMatch(text, new RegExp(i3.reference));
  assert.doesNotMatch(text, new RegExp(i4.reference));
  assert.doesNotMatch(text, /Hôpital/);
  await shot(page, 'constituent-incidents');
  // nothing of the analysts' navigation
  assert.equal(await page.getByRole('link', {name: 'Tableau de bord'}).count(), 0);
  // another organisation's incident is "not found"
  await page.goto(`${server.base}/#/incidents/${i3.id}`);
  await page.locator('.view .error').waitFor();
  assert.doesNotMatch(await page.locator('main').innerText(), /Beaconing/);
  // own incident: its description in Markdown, formatted
  await page.goto(`${server.base}/#/incidents/${i1.id}`);
  await page.locator('#description strong').waitFor();
  assert.equal(await page.locator('#description strong').innerText(), 'three file servers');
  assert.equal(await page.locator('#description li').count(), 2);
  assert.equal(await page.locator('#description a').getAttribute('rel'), 'noopener noreferrer');
  // own incident: visible journal only, reply
  await page.goto(`${server.base}/#/incidents/${i2.id}`);
  await page.waitForSelector('#journal-s');
  assert.doesNotMatch(await page.locator('main').innerText(), /Internal: the kit/);
  assert.equal(await page.locator('#tasks-s, #obs-s, #playbook-s, #mail-s').count(), 0);
  await page.locator('#journal-s textarea').fill('Nous avons bloqué le domaine sur nos proxys.');
  await page.getByRole('button', {name: 'Envoyer la réponse'}).click();
  await page.locator('#journal').getByText('Nous avons bloqué le domaine sur nos proxys.').waitFor();
  // attach a file
  await page.locator('#att-s input[type=file]').setInputFiles({name: 'journal-vpn.log', mimeType: 'text/plain', buffer: Buffer.from('vpn login from 203.0.113.9\n')});
  await page.getByRole('button', {name: 'Téléverser'}).click();
  await page.locator('#att-s').getByRole('link', {name: 'journal-vpn.log'}).waitFor();
  const atts = await admin.get(`/api/v1/incidents/${i2.id}/attachments`);
  assert.ok(atts.items.some((a) => a.filename === 'journal-vpn.log'));
  await shot(page, 'constituent-incident');
  // guided report
  await page.goto(`${server.base}/#/report-new`);
  await page.waitForSelector('#report-form');
  await page.getByLabel('Catégorie RSIT').selectOption('intrusions');
  await page.getByLabel('Type RSIT').selectOption('system-compromise');
  await page.getByLabel('Titre court').fill('Compte administrateur compromis');
  await page.getByLabel('Description').fill('Connexions anormales au VPN depuis 203.0.113.9.');
  await page.getByLabel('Systèmes touchés').fill('VPN, annuaire');
  await page.locator('#report-form input[name=when]').fill('2026-11-20T08:30');
  // datetime-local is the browser's local time: the API gets it in UTC
  const localWhen = await page.evaluate(() => new Date('2026-11-20T08:30').toISOString().replace(/\.\d+Z$/, 'Z'));
  await page.getByLabel('Étape NIS2').selectOption('early_warning');
  await shot(page, 'constituent-report');
  await page.getByRole('button', {name: 'Envoyer le signalement'}).click();
  await page.getByRole('heading', {name: 'Merci'}).waitFor();
  const reps = await admin.get('/api/v1/reports?q=administrateur');
  assert.equal(reps.items.length, 1);
  assert.equal(reps.items[0].org_id, data.org.id);
  // the answers are fields of the report (H10), the body is the description only
  const full = await admin.get(`/api/v1/reports/${reps.items[0].id}`);
  assert.equal(full.rsit_type, 'system-compromise');
  assert.equal(full.systems_affected, 'VPN, annuaire');
  assert.equal(full.nis2_stage, 'early_warning');
  assert.equal(full.detected_at, localWhen);
  assert.equal(full.body.trim(), 'Connexions anormales au VPN depuis 203.0.113.9.');
  assert.doesNotMatch(full.body, /RSIT|NIS2|VPN, annuaire/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('script payloads in a report title and an e-mail body stay inert text', async () => {
  const payload = '<script>window.__xss=1;alert("xss")</script><img src=x onerror="alert(2)">';
  const rep = await admin.post('/api/v1/reports', {subject: `Alert ${payload}`, body: `Body ${payload}`, reporter_email: 'x@evil.example'});
  const inc = data.incidents[0];
  await admin.post(`/api/v1/incidents/${inc.id}/journal`, {kind: 'email_in', visible: false, body: `Mail: ${payload}`, meta: {subject: `Re: ${payload}`}});
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/reports`);
  await page.locator('#report-list').getByText(`Alert ${payload}`).waitFor();
  await page.goto(`${server.base}/#/reports/${rep.id}`);
  await page.locator('h1.title').getByText(`Alert ${payload}`).waitFor();
  await page.getByText(`Body ${payload}`).waitFor();
  await page.goto(`${server.base}/#/incidents/${inc.id}`);
  await page.locator('#journal').getByText(`Mail: ${payload}`).waitFor();
  await page.goto(`${server.base}/#/search?q=Alert`);
  await page.waitForTimeout(500);
  assert.deepEqual(page.dialogs, [], 'no alert() ran');
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.locator('main script, main img').count(), 0, 'no element was created from data');

  // an incident description in Markdown: the server's HTML (cmark, safe mode)
  // is rebuilt from an allow-list: the formatting shows, nothing runs
  const md = ['Seen on **two servers** and _one laptop_; see [the advisory](https://advisories.example/2026-17) or [mail us](mailto:cert@cert.example).',
    '', `Payload: ${payload} [click me](javascript:window.__xss=7) <a href="javascript:alert(8)">raw link</a>`, '',
    '- first host', '- second host', '', '> quoted from the mail', '', '    code block line', ''].join('\n');
  const mdInc = await admin.post('/api/v1/incidents', {title: 'Markdown description', severity: 'low', org_id: data.org.id, description: md});
  await page.goto(`${server.base}/#/incidents/${mdInc.id}`);
  const desc = page.locator('#description');
  await desc.locator('strong').waitFor();
  assert.equal(await desc.locator('strong').innerText(), 'two servers');
  assert.equal(await desc.locator('em').innerText(), 'one laptop');
  assert.deepEqual(await desc.locator('ul li').allInnerTexts(), ['first host', 'second host']);
  assert.equal(await desc.locator('blockquote').innerText(), 'quoted from the mail');
  assert.equal((await desc.locator('pre code').innerText()).trim(), 'code block line');
  const links = await desc.locator('a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('rel'), a.getAttribute('target')]));
  assert.deepEqual(links, [
    ['the advisory', 'https://advisories.example/2026-17', 'noopener noreferrer', '_blank'],
    ['mail us', 'mailto:cert@cert.example', 'noopener noreferrer', '_blank'],
  ], 'only the http(s) and mailto links stay links');
  assert.match(await desc.innerText(), /click me/, 'the javascript: link is its text');
  assert.doesNotMatch(await desc.innerText(), /\*\*two servers\*\*/, 'no raw Markdown shown');
  assert.equal(await page.locator('main script, main img, main iframe, main svg image').count(), 0);
  assert.equal(await desc.evaluate((d) => [...d.querySelectorAll('*')].some((el) => [...el.attributes].some((a) => /^on/i.test(a.name) || /javascript:/i.test(a.value)))), false);
  assert.deepEqual(page.errors, []);
  // the allow-list itself, on HTML that did not go through cmark's safe mode
  // (parsing it in the inert document makes Chromium report, and block, the
  // inline handlers and style under the CSP: those reports are expected)
  const rebuilt = await page.evaluate(async () => {
    const {markdownBlock} = await import('/ui/js/markdown.js');
    const el = markdownBlock('<p>x<img src=x onerror="window.__xss=2"><a href="javascript:window.__xss=3">j</a><a href=" JaVaScRiPt:alert(1)">k</a>'
      + '<a href="data:text/html,x">d</a><a href="/relative">r</a><a href="https://ok.example/" onclick="window.__xss=6" title="t">ok</a>'
      + '<svg onload="window.__xss=4"><text>svgtext</text></svg><iframe src="javascript:alert(1)"></iframe><b onclick="x()">bold?</b>'
      + '<script>window.__xss=5</script><em style="color:red">e</em></p><table><tr><td onclick="x()">cell</td></tr></table><form><input value=v></form>', '');
    document.querySelector('main').appendChild(el);
    await new Promise((r) => setTimeout(r, 200));
    return {html: el.innerHTML, text: el.textContent, xss: window.__xss};
  });
  assert.equal(rebuilt.xss, undefined);
  const nolink = (x) => `<span class="md-nolink">${x}</span>`;
  assert.equal(rebuilt.html, `<p>x${nolink('j')}${nolink('k')}${nolink('d')}${nolink('r')}<a href="https://ok.example/" rel="noopener noreferrer" target="_blank">ok</a>svgtextbold?<em>e</em></p>`
    + '<table><tbody><tr><td>cell</td></tr></tbody></table>', 'links without an http(s)/mailto address are their text');
  assert.deepEqual(page.dialogs, [], 'no alert() ran');
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(page.errors.filter((e) => !/^(Executing inline event handler|Applying inline style) violates .*The action has been blocked\.$/.test(e)), []);
  await page.close();
});

test('an ended session sends the user back to the login page (log out everywhere)', async () => {
  const a = await newPage(browser.context);
  await loginUI(a, server.base, 'soc-chr', 'constituent password 2');
  const other = await launch();
  const b = await newPage(other.context);
  await loginUI(b, server.base, 'soc-chr', 'constituent password 2');
  await b.locator('#logout-all').click();
  await b.waitForSelector('form.login');
  await other.close();
  // the first browser's session is gone too: its next API call is a 401
  await a.goto(`${server.base}/#/report-new`);
  await a.waitForSelector('form.login');
  assert.match(await a.locator('#toast').innerText(), /session has ended/);
  await a.close();
});

test('edit forms: incident attributes, a task, a manual link, an observable', async () => {
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  const [i1, i2, i3] = data.incidents;
  const me = (await admin.get('/api/v1/session/me')).user;
  await page.goto(`${server.base}/#/incidents/${i2.id}`);
  await page.locator('#edit-incident').click();
  const dlg = page.getByRole('dialog', {name: `Edit ${i2.reference}`});
  await dlg.waitFor();
  await dlg.getByLabel('Severity').selectOption('critical');
  await dlg.getByLabel('TLP').selectOption('red');
  await dlg.getByLabel('PAP').selectOption('green');
  await dlg.getByLabel('RSIT category').selectOption('fraud');
  await dlg.getByLabel('RSIT type').selectOption('masquerade');
  await dlg.getByLabel('Assignee').selectOption(String(me.id));
  // another organisation concerned
  const add = dlg.getByLabel('Add an organisation concerned', {exact: true});
  await add.locator(`option[value="${data.other.id}"]`).waitFor({state: 'attached'});
  await add.selectOption(String(data.other.id));
  await dlg.getByRole('button', {name: 'Add', exact: true}).click();
  await dlg.locator('#orgs-concerned').getByText('Hôpital Régional Nord').waitFor();
  await shot(page, 'incident-edit');
  await dlg.getByRole('button', {name: 'Save'}).click();
  await page.getByText('Incident updated.').waitFor();
  const inc = await admin.get(`/api/v1/incidents/${i2.id}`);
  assert.equal(inc.severity, 'critical');
  assert.equal(inc.tlp, 'red');
  assert.equal(inc.pap, 'green');
  assert.equal(inc.type, 'masquerade');
  assert.equal(inc.assignee_id, me.id);
  assert.deepEqual(inc.organisations.map((o) => o.id).filter((id) => id !== data.org.id), [data.other.id]);
  await page.locator('h1.title').waitFor();
  assert.match(await page.locator('.badges').innerText(), /TLP:RED/);

  // a task: assignee, due date, state
  const task = (await admin.post(`/api/v1/incidents/${i2.id}/tasks`, {title: 'Block the phishing domain'})).items.find((x) => x.title === 'Block the phishing domain');
  await page.reload();
  await page.getByRole('button', {name: 'Edit the task Block the phishing domain'}).click();
  const tdlg = page.getByRole('dialog', {name: 'Edit the task'});
  await tdlg.getByLabel('Assignee').selectOption(String(me.id));
  await tdlg.getByLabel('Due').fill('2030-06-01T09:30');
  await tdlg.getByLabel('State').selectOption('cancelled');
  await tdlg.getByRole('button', {name: 'Save'}).click();
  await page.getByText('Task updated.').waitFor();
  const tk = (await admin.get(`/api/v1/incidents/${i2.id}/tasks`)).items.find((x) => x.id === task.id);
  assert.equal(tk.assignee_id, me.id);
  assert.equal(tk.state, 'cancelled');
  assert.equal(new Date(tk.due_at).getTime(), await page.evaluate(() => new Date('2030-06-01T09:30').getTime()));

  // a manual link with its reason
  await page.locator('#links-s').waitFor();
  const link = page.locator('#links-s');
  await link.locator('input[type=search]').fill(String(i3.id));
  // the picker selects the incident whose id was typed
  await page.waitForFunction((id) => document.querySelector('#links-s select').value === String(id), i3.id);
  await link.getByLabel('Reason').fill('Same phishing kit, other victim');
  await link.getByRole('button', {name: 'Link', exact: true}).click();
  await page.getByText('Incidents linked.').waitFor();
  await page.locator('#links').getByText('Same phishing kit, other victim').waitFor();
  const links = await admin.get(`/api/v1/incidents/${i2.id}/links`);
  assert.deepEqual(links.items.map((l) => [l.incident_id, l.reason]), [[i3.id, 'Same phishing kit, other victim']]);

  // an observable: IOC, and common with a reason
  await page.goto(`${server.base}/#/incidents/${i1.id}`);
  const row = page.locator('#observables tr', {hasText: '185.220.101.34'});
  await row.getByRole('button', {name: 'Edit 185.220.101.34'}).click();
  const odlg = page.getByRole('dialog');
  await odlg.getByLabel('Indicator of compromise (IOC)').check();
  await odlg.getByLabel('Common value: correlates nothing').check();
  await odlg.getByLabel('Reason').fill('Tor exit node');
  await odlg.getByRole('button', {name: 'Save'}).click();
  await page.getByText('Observable updated.').waitFor();
  const oid = Number(await page.locator('#observables tr', {hasText: '185.220.101.34'}).getAttribute('data-id'));
  const obs = await admin.get(`/api/v1/observables/${oid}`);
  assert.equal(obs.ioc, true);
  assert.equal(obs.common, true);
  assert.equal(obs.common_reason, 'Tor exit node');
  await page.locator('#observables').getByText('common (Tor exit node)').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('edit forms: a user, playbooks, and an API error shown next to its field', async () => {
  const u = await admin.post('/api/v1/users', {username: 'temp-analyst', password: 'temporary password 1', role: 'analyst', org_id: data.org.id, language: 'en'});
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/admin`);
  await page.getByRole('button', {name: 'Edit the user temp-analyst'}).click();
  const dlg = page.getByRole('dialog', {name: 'Edit the user temp-analyst'});
  await dlg.getByLabel('Name', {exact: true}).fill('Temporary Analyst');
  await dlg.getByLabel('Role').selectOption('constituent');
  await dlg.getByLabel('Language').selectOption('fr');
  const org = dlg.getByLabel('Organisation', {exact: true});
  await org.locator(`option[value="${data.other.id}"]`).waitFor({state: 'attached'});
  await org.selectOption(String(data.other.id));
  await dlg.getByLabel('Disabled: cannot log in').check();
  await dlg.getByRole('button', {name: 'Save'}).click();
  await page.getByText('User updated.').waitFor();
  const after = await admin.get(`/api/v1/users/${u.id}`);
  assert.deepEqual([after.display_name, after.role, after.language, after.org_id, after.disabled], ['Temporary Analyst', 'constituent', 'fr', data.other.id, true]);

  // a new user with a too short password: the error is under the password
  await page.getByText('New user', {exact: true}).click();
  const users = page.locator('#users-h').locator('..');
  await users.getByLabel('User name', {exact: true}).fill('short-password');
  await users.getByLabel('Password', {exact: true}).fill('short');
  await users.getByRole('button', {name: 'Create', exact: true}).click();
  const pwErr = users.locator('[data-field=password] .field-error');
  await pwErr.waitFor({state: 'visible'});
  assert.equal(await users.locator('[data-field=username] .field-error').innerText(), '');
  assert.equal((await admin.get('/api/v1/users?q=short-password')).items.length, 0);

  // a new playbook: the API's error on a task's delay lands under "Tasks"
  await page.locator('#new-playbook').click();
  const pdlg = page.getByRole('dialog', {name: 'New playbook'});
  await pdlg.getByLabel('Identifier').fill('credential-stuffing');
  await pdlg.getByLabel('Title').fill('Credential stuffing');
  await pdlg.getByLabel('RSIT types').fill('brute-force');
  await pdlg.getByLabel('Tasks').fill('Reset the passwords | 4h\nCheck the logs | soon');
  await pdlg.getByLabel('Advice for the victim (Markdown)').fill('Force a password reset and enable MFA.');
  await pdlg.getByRole('button', {name: 'Create'}).click();
  const tasksErr = pdlg.locator('[data-field=tasks] .field-error');
  await tasksErr.waitFor({state: 'visible'});
  assert.ok((await tasksErr.innerText()).length > 3);
  assert.equal(await pdlg.getByLabel('Tasks').getAttribute('aria-invalid'), 'true');
  assert.equal(await pdlg.locator('[data-field=title] .field-error').innerText(), '');
  await shot(page, 'playbook-error');
  await pdlg.getByLabel('Tasks').fill('Reset the passwords | 4h\nCheck the logs | 1d');
  await pdlg.getByRole('button', {name: 'Create'}).click();
  await page.getByText('Playbook credential-stuffing version 1 saved.').waitFor();
  // a new version of it
  await page.getByRole('button', {name: 'New version of Credential stuffing'}).click();
  const vdlg = page.getByRole('dialog', {name: 'New version of Credential stuffing'});
  assert.equal(await vdlg.getByLabel('Tasks').inputValue(), 'Reset the passwords | 4h\nCheck the logs | 1d');
  await vdlg.getByLabel('Tasks').fill('Reset the passwords | 2h\nCheck the logs | 1d\nReport to the CERT | 3d');
  await vdlg.getByRole('button', {name: 'Save the new version'}).click();
  await page.getByText('Playbook credential-stuffing version 2 saved.').waitFor();
  const pbs = (await admin.get('/api/v1/playbooks')).items.filter((p) => p.slug === 'credential-stuffing');
  assert.equal(pbs.length, 1);
  assert.equal(pbs[0].version, 2);
  const pb = await admin.get(`/api/v1/playbooks/${pbs[0].id}`);
  assert.deepEqual(pb.tasks.map((x) => [x.title, x.due_offset_s]), [['Reset the passwords', 7200], ['Check the logs', 86400], ['Report to the CERT', 259200]]);
  // the two refused requests above are the only errors
  assert.deepEqual(page.errors, Array(2).fill('Failed to load resource: the server responded with a status of 400 (Bad Request)'));
  await page.close();
});

test('a constituent follows its organisation\'s reports and the incidents they became', async () => {
  const mine = await admin.post('/api/v1/reports', {subject: 'Defaced intranet page', body: 'The intranet home page shows a political message.', org_id: data.org.id, reporter_email: 'rssi@transition.gouv.example'});
  const waiting = await admin.post('/api/v1/reports', {subject: 'Strange DNS answers', body: 'Resolvers answer with odd addresses.', org_id: data.org.id, reporter_email: 'rssi@transition.gouv.example'});
  const theirs = await admin.post('/api/v1/reports', {subject: 'Hospital printer spam', body: 'Printers print ads.', org_id: data.other.id, reporter_email: 'soc@chr-nord.example'});
  const triaged = await admin.post(`/api/v1/reports/${mine.id}/triage`, {decision: 'new_incident', org_id: data.org.id, incident: {title: 'Intranet defacement', severity: 'medium'}});
  assert.ok(triaged.incident_id);
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'rssi', 'constituent password 1');
  await page.getByRole('link', {name: 'Mes signalements'}).click();
  await page.getByRole('heading', {name: 'Mes signalements'}).waitFor();
  const list = page.locator('#report-status-list');
  await list.locator(`tr[data-id="${mine.id}"]`).waitFor();
  const text = await list.innerText();
  assert.match(text, new RegExp(`${mine.reference}\\s+Defaced intranet page\\s+incident\\s+Incident n° ${triaged.incident_id}`));
  assert.match(text, new RegExp(`${waiting.reference}\\s+Strange DNS answers\\s+nouveau\\s+reçu, en attente de tri`));
  assert.doesNotMatch(text, /Hospital printer spam/);
  assert.doesNotMatch(text, new RegExp(theirs.reference));
  await shot(page, 'constituent-reports');
  // the incident it became opens (its organisation's)
  await list.getByRole('link', {name: `Incident n° ${triaged.incident_id}`}).click();
  await page.locator('h1.title').getByText('Intranet defacement').waitFor();
  // the same list under "my incidents"
  await page.goto(`${server.base}/#/incidents`);
  await page.locator('#my-reports tr[data-id]').first().waitFor();
  assert.equal(await page.locator(`#my-reports tr[data-id="${theirs.id}"]`).count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a narrow window: no sideways scrolling on the dashboard, an incident and its edit dialog', async () => {
  const page = await newPage(browser.context);
  await page.setViewportSize({width: 400, height: 800});
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  const wide = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.goto(`${server.base}/#/`);
  await page.waitForFunction(() => window.Chart && window.Chart.getChart(document.getElementById('c-status')));
  assert.ok(await wide() <= 0, `dashboard overflows by ${await wide()} px`);
  await page.goto(`${server.base}/#/incidents/${data.incidents[0].id}`);
  await page.locator('#edit-incident').click();
  await page.getByRole('dialog').getByLabel('Severity').waitFor();
  assert.ok(await wide() <= 0, `incident page overflows by ${await wide()} px`);
  const box = await page.getByRole('dialog').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 400, JSON.stringify(box));
  await shot(page, 'narrow-incident-edit');
  await page.keyboard.press('Escape');
  // the header in French (longer words: "Se déconnecter partout") stays inside
  // the window, for an analyst and for a constituent
  const inside = () => page.evaluate(() => [...document.querySelectorAll('#top a, #top button, #top .user')]
    .map((el) => [el.textContent, el.getBoundingClientRect()])
    .filter(([, r]) => r.left < 0 || r.right > window.innerWidth).map(([txt, r]) => `${txt}: ${Math.round(r.left)}-${Math.round(r.right)}`));
  await page.goto(`${server.base}/#/`);
  await page.getByRole('button', {name: 'Switch language'}).click();
  await page.getByRole('button', {name: 'Se déconnecter partout'}).waitFor();
  await page.waitForFunction(() => window.Chart && window.Chart.getChart(document.getElementById('c-status')));
  assert.deepEqual(await inside(), [], 'analyst, French');
  assert.ok(await wide() <= 0, `French dashboard overflows by ${await wide()} px`);
  await page.mouse.move(1, 790); // no hover highlight in the picture
  await shot(page, 'narrow-fr');
  await loginUI(page, server.base, 'rssi', 'constituent password 1');
  await page.getByRole('heading', {name: 'Incidents de mon organisation'}).waitFor();
  assert.deepEqual(await inside(), [], 'constituent, French');
  assert.ok(await wide() <= 0, `French incidents page overflows by ${await wide()} px`);
  await page.goto(`${server.base}/#/incidents/${data.incidents[0].id}`);
  await page.locator('h1.title').waitFor();
  assert.deepEqual(await inside(), []);
  assert.ok(await wide() <= 0, `French incident page overflows by ${await wide()} px`);
  assert.deepEqual(page.errors, []);
  await page.close();
});
