// End to end in real headless Chromium against a running `iems up` (fresh data directory), as a
// new user would: npm run e2e. Configuration: see readConfig in lib.mjs and the README section.
import { readFileSync } from 'node:fs';
import { createRunner, ensureReachable, launchBrowser, readConfig, readingsForWeeks, readingsThroughNow, runSimulator, snap, snapPart } from './lib.mjs';
import { dismissToasts, expectText, reloadUntilVisible, signIn, waitForFilledChart } from './pages.mjs';

const config = readConfig();
await ensureReachable(config.baseUrl);
const browser = await launchBrowser(config.chromium);

// Two separate browser contexts: two people with their own cookies. The client uses a phone-sized screen.
const adminContext = await browser.newContext({ baseURL: config.baseUrl, timezoneId: 'UTC', locale: 'en-US', viewport: { width: 1280, height: 860 } });
const clientContext = await browser.newContext({ baseURL: config.baseUrl, timezoneId: 'UTC', locale: 'en-US', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
adminContext.setDefaultTimeout(15_000);
clientContext.setDefaultTimeout(15_000);
const admin = await adminContext.newPage();
const client = await clientContext.newPage();
const run = createRunner(config, () => ({ admin, client }));

const suffix = Date.now().toString(36);
const person = { username: `e2e-${suffix}`, fullName: `Erin Test ${suffix}`, password: `pw-${suffix}-Secret!` };
const deviceName = `E2E meter ${suffix}`;
let deviceId = '';
// The second device: a real meter that the admin gives a credential and that reports over MQTT.
const mqttDeviceName = `MQTT plug ${suffix}`;
let mqttDeviceId = '';
let credential = '';
let played = null;
// The third device: four weeks of history, the last night with a heater left on (an unusual alert).
const heaterDeviceName = `Heated flat ${suffix}`;
let heaterDeviceId = '';
const tariffName = `E2E time of use ${suffix}`;
const nav = (page) => page.getByRole('navigation', { name: 'Main' });

console.log(`e2e against ${config.baseUrl}`);

await run.step('the admin signs in and sees the users table', async () => {
  await signIn(admin, config.adminUser, config.adminPassword);
  await admin.getByRole('heading', { name: 'Users' }).waitFor();
  await admin.getByRole('table', { name: 'Users' }).waitFor();
});

await run.step('the admin creates a client', async () => {
  await admin.getByRole('button', { name: 'New user' }).click();
  const dialog = admin.getByRole('dialog');
  await dialog.getByLabel('Username').fill(person.username);
  await dialog.getByLabel('Full name').fill(person.fullName);
  await dialog.getByLabel('Password', { exact: true }).fill(person.password);
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await admin.getByLabel('Search users').fill(person.username);
  await admin.getByRole('cell', { name: person.fullName }).waitFor();
  await snap(config, admin, 'admin-users');
});

/** The admin creates a device with an hourly limit (0.01 kWh unless told) and assigns it to the client; returns its id. */
async function createAssignedDevice(name, { limitKwh = '0.01' } = {}) {
  await nav(admin).getByRole('link', { name: 'Devices' }).click();
  await admin.getByRole('button', { name: 'New device' }).click();
  let dialog = admin.getByRole('dialog');
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Address').fill('1 Test Street');
  await dialog.getByLabel('Hourly limit (kWh)').fill(limitKwh);
  await dialog.getByRole('button', { name: 'Create device' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await admin.getByLabel('Search devices').fill(name);
  const link = admin.getByRole('link', { name, exact: true });
  const id = (await link.getAttribute('href')).split('/').pop();

  await admin.getByRole('button', { name: `Actions for ${name}`, exact: true }).click();
  await admin.getByRole('menuitem', { name: 'Assign owner' }).click();
  dialog = admin.getByRole('dialog');
  await dialog.getByRole('combobox', { name: 'Owner' }).fill(person.username);
  await admin.getByRole('option', { name: new RegExp(person.username) }).click();
  await dialog.getByRole('button', { name: 'Assign', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  await admin.getByRole('row', { name: new RegExp(name) }).getByText(person.fullName).waitFor();
  return id;
}

await run.step('the admin creates a device with a low limit and assigns it', async () => {
  deviceId = await createAssignedDevice(deviceName);
  await snap(config, admin, 'admin-devices');
});

await run.step('the client signs in on a phone-sized screen and sees the device', async () => {
  await signIn(client, person.username, person.password);
  await client.getByRole('heading', { name: 'My devices' }).waitFor();
  await client.getByRole('article', { name: deviceName }).getByText(/kWh \/ 0\.010 kWh/).waitFor();
  await client.getByRole('link', { name: deviceName }).click();
  await client.getByRole('heading', { name: deviceName }).waitFor();
  await client.getByTestId('day-chart').waitFor();
  await client.getByText('Live', { exact: true }).waitFor();
});

await run.step('the session survives a reload (refresh cookie)', async () => {
  await client.reload();
  await client.getByRole('heading', { name: deviceName }).waitFor();
  await client.getByText('Live', { exact: true }).waitFor();
});

await run.step('readings arrive: the day chart fills in and an alert toast appears', async () => {
  if (!config.simulate) {
    throw new Error('set IEMS_E2E_SIMULATE_CMD to a command that plays readings for {device_id} from {start} (see the README)');
  }
  played = readingsThroughNow();
  await runSimulator(config.simulate, { device_id: deviceId, ...played, url: config.baseUrl });
  await waitForFilledChart(client, config.timeoutMs);
  await expectText(client, 'Hourly limit exceeded', config.timeoutMs);
  // The current hour's card follows the live consumption updates (at most one a second per device).
  await client.getByRole('progressbar', { name: /over the limit/ }).first().waitFor({ timeout: config.timeoutMs });
  await snap(config, client, 'client-device');
});

await run.step('cost: a time-of-use tariff from today prices the chart and the CSV; a tiny budget raises a budget alert', async () => {
  // The admin creates the tariff (weekdays 07:00–23:00 peak, otherwise the default price: every hour is priced).
  await dismissToasts(admin);
  await nav(admin).getByRole('link', { name: 'Tariffs' }).click();
  await admin.getByRole('button', { name: 'New tariff' }).click();
  const dialog = admin.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill(tariffName);
  await dialog.getByText('Time of use', { exact: true }).click();
  await dialog.getByLabel('Currency').fill('EUR');
  await dialog.getByLabel('Time zone').fill('UTC');
  await dialog.getByLabel('Standing charge per day').fill('0.35');
  await dialog.getByLabel('Default price per kWh').fill('0.21');
  const period = dialog.getByRole('group', { name: 'Season 1 period 1' });
  await period.getByLabel('From', { exact: true }).fill('07:00');
  await period.getByLabel('To', { exact: true }).fill('23:00');
  await period.getByLabel('Price per kWh', { exact: true }).fill('0.32');
  await dialog.getByRole('button', { name: 'Create tariff' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await admin.getByRole('table', { name: 'Tariffs' }).getByRole('cell', { name: tariffName, exact: true }).waitFor();
  await snap(config, admin, 'admin-tariffs');

  // ...and assigns it to the client from the start of today (the date picker's default, local midnight).
  await nav(admin).getByRole('link', { name: 'Users' }).click();
  await admin.getByLabel('Search users').fill(person.username);
  await admin.getByRole('link', { name: `Tariff and budget of ${person.username}` }).click();
  await admin.getByRole('heading', { name: person.fullName }).waitFor();
  await admin.getByLabel('Tariff to assign').selectOption({ label: `${tariffName} (EUR)` });
  await admin.getByRole('button', { name: 'Assign tariff' }).click();
  await admin.getByTestId('current-tariff').getByText(tariffName).waitFor();

  // The client's day chart now has money on its total line, and the CSV a cost column with a value.
  await dismissToasts(client);
  await client.reload();
  await client.getByTestId('day-chart').waitFor();
  await client.getByTestId('cost-line').getByText(/€\d+\.\d{2}/).waitFor({ timeout: config.timeoutMs });
  await snap(config, client, 'client-cost');
  const [download] = await Promise.all([client.waitForEvent('download'), client.getByRole('button', { name: 'Download CSV' }).click()]);
  const file = await download.path();
  if (!file) throw new Error('the CSV download failed');
  const [header, ...rows] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const costColumn = header.split(',').indexOf('cost');
  if (costColumn < 0) throw new Error(`the CSV has no cost column: ${header}`);
  if (!rows.some((row) => /^-?\d+(\.\d+)?$/.test(row.split(',')[costColumn] ?? ''))) {
    throw new Error(`no row of the CSV has a cost: ${rows.slice(0, 3).join(' | ')}`);
  }

  // The client sets a budget far below what today cost: the panel shows it exceeded, and a budget alert arrives.
  await client.goto('/devices');
  const budget = client.getByRole('region', { name: 'Monthly budget' });
  await budget.getByRole('button', { name: 'Set a budget' }).click();
  await budget.getByLabel('Budget amount').fill('0.01');
  await budget.getByRole('button', { name: 'Save budget' }).click();
  await budget.getByText(/^(Budget spent|Projected over budget)$/).waitFor({ timeout: config.timeoutMs });
  const budgetAlert = () => client.getByText(/^Budget: projected to exceed €0\.01 this month|^Budget of €0\.01 spent/).first();
  try {
    await budgetAlert().waitFor({ timeout: 20_000 });
  } catch {
    // Budgets are checked as readings arrive: play the same readings again (a batch touching the client).
    await runSimulator(config.simulate, { device_id: deviceId, ...played, url: config.baseUrl }).catch(() => undefined);
    await budgetAlert().waitFor({ timeout: config.timeoutMs });
  }
  await client.goto('/alerts');
  await client.getByRole('tab', { name: 'Budget' }).click();
  await client
    .getByRole('table', { name: 'Budget alerts' })
    .getByText(/^Budget: projected to exceed €0\.01 this month|^Budget of €0\.01 spent/)
    .first()
    .waitFor({ timeout: config.timeoutMs });
  await client.goto(`/devices/${deviceId}`);
  await client.getByTestId('day-chart').waitFor();
});

await run.step('the week view shows days, and the CSV downloads', async () => {
  await dismissToasts(client);
  await client.getByText('Week', { exact: true }).click();
  await client.getByTestId('range-chart').waitFor();
  const [download] = await Promise.all([client.waitForEvent('download'), client.getByRole('button', { name: 'Download CSV' }).click()]);
  if (!download.suggestedFilename().endsWith('.csv')) throw new Error(`unexpected download ${download.suggestedFilename()}`);
  const file = await download.path();
  if (!file) throw new Error('the CSV download failed');
});

await run.step('the client acknowledges the alert; the admin sees it among all alerts', async () => {
  await client.goto('/devices');
  await client.getByRole('article', { name: deviceName }).getByRole('progressbar', { name: /over the limit/ }).waitFor();
  await snap(config, client, 'client-home');
  await client.goto('/alerts');
  const first = client.getByRole('button', { name: /Acknowledge alert/ }).first();
  const label = await first.getAttribute('aria-label');
  await first.click();
  await client.getByRole('button', { name: label, exact: true }).waitFor({ state: 'detached' });
  await dismissToasts(admin);
  await nav(admin).getByRole('link', { name: 'All alerts' }).click();
  await admin.getByText('All', { exact: true }).click();
  await admin.getByRole('table', { name: 'All alerts' }).getByRole('link', { name: deviceName }).first().waitFor();
  await admin.getByRole('table', { name: 'All alerts' }).getByText('Acknowledged').first().waitFor();
});

await run.step('the admin adds a meter for the client, issues it a credential and copies it from the one-time panel', async () => {
  if (!config.simulateMqtt) {
    throw new Error('set IEMS_E2E_SIMULATE_MQTT_CMD to a command that plays readings over MQTT for {device_id} (see scripts/e2e)');
  }
  await dismissToasts(admin);
  mqttDeviceId = await createAssignedDevice(mqttDeviceName);
  await admin.getByRole('link', { name: mqttDeviceName, exact: true }).click();
  await admin.getByRole('heading', { name: mqttDeviceName, exact: true }).waitFor();
  const section = admin.getByRole('region', { name: 'Meter connection' });
  await section.getByTestId('last-reported').filter({ hasText: 'never' }).waitFor();
  await section.getByRole('button', { name: 'Issue credential' }).click();

  // The one-time panel: read what a person would copy, from the page itself.
  const panel = section.getByRole('region', { name: 'New credential' });
  await panel.waitFor();
  const field = async (label) => ((await panel.getByLabel(label, { exact: true }).textContent()) ?? '').trim();
  const keyId = await field('MQTT username');
  const secret = await field('MQTT password');
  const prefix = await field('Topic prefix');
  const token = await field('HTTP bearer token');
  if (!/^dk[0-9a-f]{20}$/.test(keyId)) throw new Error(`the MQTT username is not a key id: ${keyId}`);
  if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) throw new Error(`the MQTT password is not a secret (${secret.length} characters)`);
  if (token !== `${keyId}.${secret}`) throw new Error('the bearer token is not `<MQTT username>.<MQTT password>`');
  // Topics name the credential: `<namespace>/<key id>/…`.
  if (prefix !== `${config.namespace}/${keyId}`) throw new Error(`topic prefix ${prefix}, expected ${config.namespace}/${keyId}`);
  credential = token;

  await panel.getByRole('button', { name: 'I have copied it, hide the secret' }).click();
  await panel.waitFor({ state: 'detached' });
  await section.getByTestId('credential-status').getByText(keyId, { exact: true }).waitFor();
  if ((await admin.content()).includes(secret)) throw new Error('the secret is still in the page after it was dismissed');
});

await run.step('the meter reports over MQTT: the client sees its consumption live, the admin "last reported via MQTT"', async () => {
  // The client watches the dashboard before the meter reports; nothing is reloaded on this page from here on.
  await dismissToasts(client);
  await client.goto('/devices');
  const card = client.getByRole('article', { name: mqttDeviceName, exact: true });
  await card.getByText(/^0\.0+ kWh \/ 0\.010 kWh$/).waitFor();

  const readings = readingsThroughNow();
  await runSimulator(
    config.simulateMqtt,
    { device_id: mqttDeviceId, ...readings, url: config.baseUrl },
    { IEMS_E2E_DEVICE_CREDENTIAL: credential },
  );
  // This hour's consumption arrives over the live connection: the card goes over its 0.01 kWh limit.
  await card.getByRole('progressbar', { name: /over the limit/ }).waitFor({ timeout: config.timeoutMs });

  // The admin's device page reads "last reported" when it loads.
  const section = admin.getByRole('region', { name: 'Meter connection' });
  const viaMqtt = section.getByTestId('last-reported').filter({ hasText: /via MQTT/ });
  await reloadUntilVisible(admin, viaMqtt, config.timeoutMs);
  await dismissToasts(admin);
  await section.scrollIntoViewIfNeeded();
  await snapPart(config, section, 'admin-meter-connection');

  // The client's device page: today's chart from the meter's readings, and how it reported.
  await card.getByRole('link', { name: mqttDeviceName, exact: true }).click();
  await waitForFilledChart(client, config.timeoutMs);
  await client.getByRole('region', { name: 'Meter connection' }).getByTestId('last-reported').filter({ hasText: /via MQTT/ }).waitFor();
});

await run.step('a heater left on all night: the client gets an Unusual alert, the chart of all devices and the usual pattern', async () => {
  if (!config.simulateHeater) {
    throw new Error('set IEMS_E2E_SIMULATE_HEATER_CMD to a command that plays readings with a heater at night for {device_id} (see scripts/e2e)');
  }
  // A limit no household hour reaches: the only alert of this device is the unusual night.
  await dismissToasts(admin);
  heaterDeviceId = await createAssignedDevice(heaterDeviceName, { limitKwh: '50' });

  // The client watches its unusual alerts before the readings arrive: the list follows alert frames live.
  await dismissToasts(client);
  const showUnusual = async () => {
    await client.goto('/alerts');
    await client.getByRole('radiogroup', { name: 'Kind of alert' }).getByText('Unusual', { exact: true }).click();
  };
  await showUnusual();

  // Four weeks up to this hour (its usual week is ready after three), with a 2 kW heater in the last whole night.
  const history = readingsForWeeks();
  await runSimulator(config.simulateHeater, { device_id: heaterDeviceId, ...history, url: config.baseUrl });

  // The broker-adapter checks the device every 2 s as its data reaches new hours: wait up to a minute for the alert.
  const row = client
    .getByRole('table', { name: 'Alerts' })
    .getByRole('row')
    .filter({ has: client.getByRole('link', { name: heaterDeviceName, exact: true }) });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await row.first().waitFor({ timeout: Math.max(1, Math.min(20_000, deadline - Date.now())) });
      break;
    } catch (error) {
      if (Date.now() >= deadline) throw new Error(`no unusual alert for ${heaterDeviceName} within a minute of its readings (${error.message})`, { cause: error });
    }
    // A frame missed (the socket reconnecting): read the list again.
    await showUnusual();
  }
  await row.first().getByText('Unusual', { exact: true }).waitFor();
  const explanation = ((await row.first().getByTestId('unusual-explanation').textContent()) ?? '').trim();
  // "Used 16.42 kWh over 8 h (10:00 PM–06:00 AM) where 0.44 kWh is usual": more than usual, over hours of the heated night.
  const found = /^Used ([\d,]+\.\d{2}) kWh over (\d+) h \((.+)–(.+)\) where ([\d,]+\.\d{2}) kWh is usual$/.exec(explanation);
  if (!found) throw new Error(`unexpected explanation of the unusual alert: ${explanation}`);
  const [, used, hours, from, , usual] = found;
  const kwh = (text) => Number(text.replaceAll(',', ''));
  if (Number(hours) < 3 || Number(hours) > 8) throw new Error(`the unusual run lasted ${hours} h, not 3–8 h of the heated night: ${explanation}`);
  if (from !== '10:00 PM') throw new Error(`the unusual run started at ${from}, not when the heater went on (22:00 UTC): ${explanation}`);
  // The heater alone adds 2 kWh to each of its hours.
  if (kwh(used) - kwh(usual) < 1.9 * Number(hours)) throw new Error(`the unusual run is not the heater's 2 kWh an hour above usual: ${explanation}`);
  console.log(`       unusual alert: ${explanation}`);
  await snap(config, client, 'client-unusual-alert');

  // Home: the chart of all three devices together; the heated flat's page: its usual pattern, learned and on.
  await dismissToasts(client);
  await client.goto('/devices');
  const total = client.getByRole('region', { name: 'Consumption of all devices' });
  await total.getByText('3 devices together', { exact: true }).waitFor({ timeout: config.timeoutMs });
  await client.getByRole('article', { name: heaterDeviceName, exact: true }).getByRole('link', { name: heaterDeviceName, exact: true }).click();
  await client.getByRole('heading', { name: heaterDeviceName, exact: true }).waitFor();
  const usualPattern = client.getByRole('region', { name: 'Usual pattern' });
  await usualPattern.getByText(/^Unusual-consumption alerts are on/).waitFor({ timeout: config.timeoutMs });
  await usualPattern.scrollIntoViewIfNeeded();
  await snapPart(config, usualPattern, 'client-usual-pattern');
});

await run.step('the client cannot reach an admin page by URL', async () => {
  await client.goto('/admin/users');
  await client.getByRole('heading', { name: 'No access' }).waitFor();
  if (await client.getByRole('table', { name: 'Users' }).count()) throw new Error('the users table was shown to a client');
});

await run.step('the client writes to support; the admin sees it in the inbox and the client sees it read', async () => {
  await client.goto('/chat');
  await client.getByRole('heading', { name: 'Support chat' }).waitFor();
  await client.getByRole('textbox', { name: 'Message', exact: true }).fill('Hello, my meter looks high today.');
  await client.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
  await client.getByText('Sending…').waitFor({ state: 'detached', timeout: config.timeoutMs });

  await nav(admin).getByRole('link', { name: 'Support inbox' }).click();
  const conversation = admin.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(person.fullName) });
  await conversation.waitFor({ timeout: config.timeoutMs });
  await conversation.click();
  const window = admin.getByRole('region', { name: `Chat with ${person.fullName}` });
  await window.getByText('Hello, my meter looks high today.').waitFor();
  await client.getByTestId('read-mark').waitFor({ timeout: config.timeoutMs });
});


await run.step('typing shows on the other side, and the answer arrives', async () => {
  const window = admin.getByRole('region', { name: `Chat with ${person.fullName}` });
  await window.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('We are looking into it', { delay: 40 });
  await client.getByText('Support is typing…').waitFor({ timeout: config.timeoutMs });
  await window.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
  await client.getByText('We are looking into it').waitFor({ timeout: config.timeoutMs });

  await client.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('Thanks', { delay: 40 });
  await window.getByText(`${person.fullName} is typing…`).waitFor({ timeout: config.timeoutMs });
  await client.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
  await window.getByText('Thanks', { exact: true }).waitFor({ timeout: config.timeoutMs });
  await window.getByTestId('read-mark').waitFor({ timeout: config.timeoutMs });
  await snap(config, admin, 'admin-inbox');
  await snap(config, client, 'client-chat');
});

await run.step('both sign out; a reload then asks to sign in again', async () => {
  for (const page of [admin, client]) {
    await page.goto('/account');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }
});

await browser.close();
run.done();
