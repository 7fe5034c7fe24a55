// The report fields of the guided form, the triage dialog prefilled from the
// reporter's RSIT type, a bulk new incident announcing its one incident, and
// the observables of a report (find, keep, follow into the incident) — H10.
// Every UI action is checked through the API.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {Server, launch, newPage, loginUI, seed, shot, ADMIN_PASSWORD} from './harness.js';

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

test('guided form of an organisation outside NIS2: fields sent as such, no NIS2 step, an API error under its field', async () => {
  const org = await admin.post('/api/v1/orgs', {name: 'Mairie de Valbourg', kind: 'local_authority', sector: 'public_administration', domains: [{domain: 'valbourg.example'}]});
  await admin.post('/api/v1/users', {username: 'valbourg', password: 'constituent password 3', role: 'constituent', org_id: org.id, language: 'en', display_name: 'DSI Valbourg'});
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'valbourg', 'constituent password 3');
  await page.goto(`${server.base}/#/report-new`);
  await page.waitForSelector('#report-form');
  assert.equal(await page.locator('#nis2-step').count(), 0, 'no NIS2 step');
  assert.equal(await page.getByLabel('NIS2 stage').count(), 0);
  assert.doesNotMatch(await page.locator('#report-form').innerText(), /NIS2/);
  await page.getByLabel('RSIT category').selectOption('availability');
  await page.getByLabel('RSIT type').selectOption('ddos');
  await page.getByLabel('Short title').fill('Town website down since this morning');
  await page.getByLabel('Description').fill('The website answers no more; the host sees a flood of requests.');
  await page.getByLabel('When did it start or was it noticed?').fill('2026-11-25T07:15');
  const when = await page.evaluate(() => new Date('2026-11-25T07:15').toISOString().replace(/\.\d+Z$/, 'Z'));
  // 3000 "é" fit the 4096-character box but not the API's 4096 bytes
  const systems = page.getByLabel('Systems affected');
  await systems.fill('é'.repeat(3000));
  await page.getByRole('button', {name: 'Send the report'}).click();
  const err = page.locator('.field[data-field=systems_affected] .field-error');
  await err.waitFor();
  assert.match(await err.innerText(), /\S/);
  assert.equal(await systems.getAttribute('aria-invalid'), 'true');
  assert.equal((await admin.get('/api/v1/reports?q=Valbourg')).items.length + (await admin.get('/api/v1/reports?q=flood')).items.length, 0, 'nothing stored');
  await systems.fill('www.valbourg.example, the town hall web server');
  await page.getByRole('button', {name: 'Send the report'}).click();
  await page.getByRole('heading', {name: 'Thank you'}).waitFor();
  const reps = await admin.get('/api/v1/reports?q=flood');
  assert.equal(reps.items.length, 1);
  const rep = await admin.get(`/api/v1/reports/${reps.items[0].id}`);
  assert.equal(rep.org_id, org.id);
  assert.equal(rep.rsit_type, 'ddos');
  assert.equal(rep.detected_at, when);
  assert.equal(rep.systems_affected, 'www.valbourg.example, the town hall web server');
  assert.equal(rep.nis2_stage ?? null, null);
  assert.equal(rep.body.trim(), 'The website answers no more; the host sees a flood of requests.');
  assert.doesNotMatch(rep.body, /RSIT|ddos|town hall web server|2026/);
  // the refused first try is the one expected 400
  assert.deepEqual(page.errors.filter((e) => !/status of 400/.test(e)), []);
  await page.close();
});

test('triage: RSIT type prefilled from the report; a bulk new incident makes one incident and the queue links to it', async () => {
  const mk = (subject) => admin.post('/api/v1/reports', {subject, body: 'Mails asking agents to log in on a fake portal.', reporter_email: 'rssi@transition.gouv.example', org_id: data.org.id, rsit_type: 'phishing'});
  const a = await mk('Fake portal mail (building A)');
  const b = await mk('Fake portal mail (building B)');
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  // one report: its page shows the type, the dialog starts from it
  await page.goto(`${server.base}/#/reports/${a.id}`);
  await page.locator('dl.facts').getByText('phishing', {exact: true}).waitFor();
  await page.locator('button[data-decision=new_incident]').click();
  let dlg = page.getByRole('dialog');
  await dlg.waitFor();
  assert.equal(await dlg.getByLabel('RSIT category').inputValue(), 'fraud');
  assert.equal(await dlg.getByLabel('RSIT type').inputValue(), 'phishing');
  await dlg.getByRole('button', {name: 'Cancel'}).click();
  // bulk: both reports, one new incident
  await page.goto(`${server.base}/#/reports`);
  await page.waitForSelector(`#report-list tr[data-id="${b.id}"]`);
  await page.getByLabel(`Select ${a.reference}`).check();
  await page.getByLabel(`Select ${b.reference}`).check();
  await page.locator('button[data-decision=new_incident]').click();
  dlg = page.getByRole('dialog', {name: 'Triage selected reports'});
  await dlg.waitFor();
  assert.equal(await dlg.getByLabel('RSIT type').inputValue(), 'phishing', 'the reports agree on the type');
  await dlg.getByLabel('Incident title').fill('Fake portal campaign against agents');
  await dlg.getByRole('button', {name: 'Apply'}).click();
  const link = page.locator('#triage-outcome a');
  await link.waitFor();
  const ra = await admin.get(`/api/v1/reports/${a.id}`);
  const rb = await admin.get(`/api/v1/reports/${b.id}`);
  assert.ok(ra.incident_id);
  assert.equal(rb.incident_id, ra.incident_id, 'one incident for both');
  assert.equal(await link.getAttribute('href'), `#/incidents/${ra.incident_id}`);
  const inc = await admin.get(`/api/v1/incidents/${ra.incident_id}`);
  assert.equal(inc.title, 'Fake portal campaign against agents');
  assert.equal(inc.type, 'phishing');
  assert.match(await page.locator('#triage-outcome').innerText(), new RegExp(`2 reports became incident ${inc.reference}`));
  await shot(page, 'report-bulk-new-incident');
  await link.click();
  await page.waitForURL(new RegExp(`#/incidents/${ra.incident_id}$`));
  assert.deepEqual(page.errors, []);
  await page.close();
});

// Is this observable linked to that report? (through the API)
async function linkedTo(kind, id, type, value) {
  const page = await admin.get(`/api/v1/observables?type=${encodeURIComponent(type)}&value=${encodeURIComponent(value)}`);
  for (const o of page.items || []) {
    const d = await admin.get(`/api/v1/observables/${o.id}`);
    if (d.objects.some((x) => x.object_type === kind && x.object_id === id)) return true;
  }
  return false;
}

test('observables of a report: find the defanged values, keep the ticked ones, they follow into the incident', async () => {
  const rep = await admin.post('/api/v1/reports', {subject: 'Phishing kit hosted abroad',
    body: 'The mail links to hxxp://evil[.]example/x, the kit posts to 198.51.100[.]7 and replies go to bad[at]evil.example.\n' +
      'Second wave: hxxps://phish-kit[.]net/login served from 185.220.101[.]34, replies to drop[at]phish-kit.net.',
    reporter_email: 'rssi@transition.gouv.example', org_id: data.org.id});
  const page = await newPage(browser.context);
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${server.base}/#/reports/${rep.id}`);
  await page.getByRole('button', {name: 'Find observables'}).click();
  const rows = page.locator('#report-obs li.obs-cand');
  await rows.first().waitFor();
  const cands = (await admin.get(`/api/v1/reports/${rep.id}/observables/candidates`)).candidates;
  assert.equal(await rows.count(), cands.length);
  const find = (v) => cands.find((c) => c.value === v);
  // refanged; documentation addresses and example domains are on the warning lists ("common")
  for (const v of ['http://evil.example/x', '198.51.100.7', 'https://phish-kit.net/login', '185.220.101.34', 'drop@phish-kit.net']) {
    assert.ok(find(v) && find(v).defanged, `candidate ${v}: ${JSON.stringify(cands)}`);
  }
  assert.equal(find('198.51.100.7').common, true);
  assert.equal(find('185.220.101.34').common, false);
  const text = await page.locator('#report-obs').innerText();
  for (const c of cands) assert.ok(text.includes(c.value), c.value);
  assert.match(text, /as found: hxxp:\/\/evil\[\.\]example\/x/);
  assert.match(text, /defanged/);
  assert.match(text, /common/);
  // common values start unticked, the others ticked
  const box = (v) => page.locator(`#report-obs input[type=checkbox][data-value="${v}"]`);
  for (const c of cands) assert.equal(await box(c.value).isChecked(), !c.common, c.value);
  // the checkbox's accessible name carries the value
  await page.getByRole('checkbox', {name: /185\.220\.101\.34/}).waitFor();
  await shot(page, 'report-observables');
  // keep one common value anyway, drop one of the others
  const dropped = '185.220.101.34';
  const extra = 'http://evil.example/x';
  await box(dropped).uncheck();
  await box(extra).check();
  const kept = cands.filter((c) => (!c.common || c.value === extra) && c.value !== dropped);
  assert.ok(kept.length >= 3);
  await page.getByRole('button', {name: 'Keep selected'}).click();
  await page.locator('#report-obs ul.obs-kept li').first().waitFor();
  assert.equal(await page.locator('#report-obs ul.obs-kept li').count(), kept.length);
  for (const c of cands) assert.equal(await linkedTo('report', rep.id, c.type, c.value), kept.includes(c), `${c.value} linked to the report`);
  // triage into a new incident: the kept values follow
  await page.locator('button[data-decision=new_incident]').click();
  await page.getByRole('dialog').getByRole('button', {name: 'Apply'}).click();
  await page.waitForURL(/#\/incidents\/\d+$/);
  const got = await admin.get(`/api/v1/reports/${rep.id}`);
  assert.ok(got.incident_id);
  const obs = await admin.get(`/api/v1/incidents/${got.incident_id}/observables`);
  const vals = (obs.items || []).map((o) => o.value);
  for (const c of kept) assert.ok(vals.includes(c.value), `${c.value} in the incident: ${JSON.stringify(vals)}`);
  assert.ok(!vals.includes(dropped), 'the unticked one stays out');
  assert.ok(!vals.includes('198.51.100.7'), 'the common one left unticked stays out');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a narrow window: the report page with its observables, in French', async () => {
  const rep = await admin.post('/api/v1/reports', {subject: 'Lien suspect', body: 'Lien hxxps://a-very-long-subdomain-name-for-testing.evil[.]example/path/to/a/long/page?with=query',
    reporter_email: 'rssi@transition.gouv.example', org_id: data.org.id, rsit_type: 'phishing', systems_affected: 'messagerie'});
  const page = await newPage(browser.context);
  await page.setViewportSize({width: 400, height: 800});
  await loginUI(page, server.base, 'admin', ADMIN_PASSWORD);
  await page.getByRole('button', {name: 'Switch language'}).click();
  await page.goto(`${server.base}/#/reports/${rep.id}`);
  await page.getByRole('button', {name: 'Chercher les observables'}).click();
  await page.locator('#report-obs li.obs-cand').first().waitFor();
  await page.getByRole('button', {name: 'Garder la sélection'}).waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling');
  assert.deepEqual(page.errors, []);
  await page.close();
});
