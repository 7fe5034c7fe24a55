// End-to-end tests of the web console in headless Chromium, against the real
// daemon. Run: cd tests/e2e && npm install && node --test
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync, existsSync} from 'node:fs';
import {join} from 'node:path';
import {Server, launch, newPage, loginUI, seed, shot, ADMIN_PASSWORD, REPO} from './harness.js';

let server, admin, data, browser;

before(async () => {
  server = await new Server().start();
  admin = await server.client();
  data = await seed(admin);
  browser = await launch();
});

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

test('log in, dashboard with charts, help overlay, log out', async () => {
  const page = await newPage(browser.context);
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
  await page.waitForFunction(() => window.Chart && window.Chart.getChart(document.getElementById('c-status')));
  assert.equal(await page.locator('canvas').count(), 7);
  assert.match(await page.locator('.kpis').innerText(), /4\s+open incidents/);
  await shot(page, 'dashboard');
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
  for (let i = 0; i <= idx; i++) await page.keyboard.press('j');
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
  await page.locator('#lookup-input').fill('192.0.2.10');
  await page.getByRole('button', {name: 'Look up'}).click();
  await page.locator('#lookup-result').getByText('Ministère de la Transition').waitFor();
  await shot(page, 'registry');
  await page.locator('#lookup-result a').first().click();
  await page.waitForSelector('#networks');
  assert.match(await page.locator('#networks').innerText(), /192\.0\.2\.0\/24/);
  assert.match(await page.locator('#contacts').innerText(), /rssi@transition\.gouv\.example/);
  await page.goto(`${server.base}/#/search?q=ransomware`);
  await page.locator('#search-results li').first().waitFor();
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
  await page.getByLabel('Étape NIS2').selectOption('early_warning');
  await shot(page, 'constituent-report');
  await page.getByRole('button', {name: 'Envoyer le signalement'}).click();
  await page.getByRole('heading', {name: 'Merci'}).waitFor();
  const reps = await admin.get('/api/v1/reports?q=administrateur');
  assert.equal(reps.items.length, 1);
  assert.equal(reps.items[0].org_id, data.org.id);
  const full = await admin.get(`/api/v1/reports/${reps.items[0].id}`);
  assert.match(full.body, /RSIT: intrusions \/ system-compromise/);
  assert.match(full.body, /NIS2: early_warning/);
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
