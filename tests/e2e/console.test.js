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
  assert.deepEqual(page.errors, []);
  await page.close();
});
