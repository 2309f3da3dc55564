import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEARTBEAT_MS } from '../../src/api/routes/events/index.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { AuthStore } from '../../src/auth/store.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { TEST_PASSWORD } from '../helpers/http.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';
import { type LinkProxy, linkProxy } from './link-proxy.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PHONE = { width: 360, height: 740 };
const DESK = { width: 1280, height: 800 };

/** axe-core in the page (evaluated over the devtools protocol: the page's CSP forbids injected scripts). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const result = await (
      globalThis as unknown as {
        axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> };
      }
    ).axe.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.nodes})`);
}

// The console in Debian's Chromium against a real gateway (broker, MQTT band and handset, SQLite):
// the gateway's clock is fake, the browser's real, so every check waits for what appears.
describe('the staff console in a browser', () => {
  let g: TestGateway;
  let band: TestClient;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let link: LinkProxy;
  const pageErrors: string[] = [];
  let alertId = 0;

  beforeAll(async () => {
    g = await testGateway();
    const setPassword = async (staffId: string) =>
      new AuthStore(g.gateway.context.db).setPassword(
        staffId,
        await hashPassword(TEST_PASSWORD, { N: 1024, r: 8, p: 1 }),
        g.clock.now(),
      );
    await setPassword('alice');
    band = await g.device('wb-1');
    await g.handset('alice');
    // Between the browser and the gateway, so the test can drop the link as a Wi-Fi drop would.
    link = await linkProxy(g.gateway.httpPort);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: PHONE });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource|net::ERR_/.test(m.text()))
        pageErrors.push(m.text());
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });
  afterAll(async () => {
    await browser?.close();
    await link?.close();
    await g?.stop();
  });

  it('logs in, with the CSP of the gateway in force and no script error', async () => {
    const res = await page.goto(`${link.url}/`);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'self'");
    await page.getByLabel('Staff id').fill('alice');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong staff id or password.');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Alice Moss · staff').waitFor();
    await page.getByText('0 open alerts').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows an SOS live, with a cue, and takes it from accept to resolve; the band hears help is coming', async () => {
    await band.send('deviceEvent', { type: 'sos' });
    const card = page
      .getByRole('list', { name: 'Open alerts' })
      .getByRole('link', { name: /SOS — Rose Tyler/ });
    await card.waitFor();
    await page.getByRole('alert').filter({ hasText: 'New SOS — Rose Tyler' }).waitFor();
    expect(await card.textContent()).toContain('Room N1');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}console-phone-alerts.png` });

    await card.click();
    alertId = Number(new URL(page.url()).hash.split('/')[2]);
    expect(alertId).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Accept' }).click();
    const reassure = (await band.next(onTopic('reassure'))).payload;
    expect(reassure).toMatchObject({ alertId, kind: 'help-coming', staffFirstName: 'Alice' });
    await page.getByRole('button', { name: 'I have arrived' }).click();
    await page.getByLabel('Outcome').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}console-phone-alert.png` });
    await page.getByLabel('Outcome').selectOption('resident-ok');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('resolved (resident-ok)').waitFor();
    const trail = page.getByRole('list', { name: 'Audit trail' });
    await trail.getByText('Resolved').waitFor();
    expect(await trail.textContent()).toMatch(/Accepted · Alice Moss \(console\)/);
    expect(g.alerts.get(alertId)).toMatchObject({
      state: 'resolved',
      outcome: 'resident-ok',
      ownerId: 'alice',
    });
  });

  it('finds the resolved alert in the history, filtered by resident, and opens its audit trail', async () => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'History' }).click();
    await page.getByRole('heading', { name: 'Alert history' }).waitFor();
    const closed = page.getByRole('list', { name: 'Closed alerts' });
    await closed.getByRole('link', { name: /SOS — Rose Tyler/ }).waitFor();
    expect(await closed.textContent()).toContain('Resolved by Alice Moss (resident-ok)');
    await page.getByLabel('Resident').selectOption({ label: 'Harold Finch' });
    await page.getByText('No closed alerts for this choice.').waitFor();
    await page.getByLabel('Resident').selectOption({ label: 'Rose Tyler' });
    await closed.getByRole('link', { name: /SOS — Rose Tyler/ }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}console-phone-history.png` });
    await closed.getByRole('link', { name: /SOS — Rose Tyler/ }).click();
    expect(new URL(page.url()).hash).toBe(`#/alert/${alertId}`);
    const trail = page.getByRole('list', { name: 'Audit trail' });
    await trail.getByText('Resolved').waitFor();
    expect(await trail.textContent()).toMatch(/Accepted · Alice Moss \(console\)/);
    await page.getByRole('link', { name: '← Alert history' }).waitFor();
  });

  it('shows "connection lost" while the link is down and, back, the alert raised meanwhile', async () => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Alerts' }).click();
    await page.getByText('0 open alerts').waitFor();
    link.cut();
    await page.getByText('Connection lost').waitFor();
    const other = await g.device('wb-2');
    await other.send('deviceEvent', { type: 'sos' });
    await expect.poll(() => g.alerts.open().length).toBe(1);
    link.restore();
    await page
      .getByRole('list', { name: 'Open alerts' })
      .getByRole('link', { name: /SOS — Harold Finch/ })
      .waitFor();
    await page.getByText('Connection lost').waitFor({ state: 'detached' });
    await page.getByText('1 open alert').waitFor();
  });

  it('looks right at a desk, with the shift view', async () => {
    await page.setViewportSize(DESK);
    await page.screenshot({ path: `${SCREENSHOTS}console-desk-alerts.png` });
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Shift' }).click();
    await page.getByRole('heading', { name: 'On the roster' }).waitFor();
    const load = (name: string) =>
      page.getByRole('meter', { name }).evaluate((m) => (m as unknown as { value: number }).value);
    expect(await load('Alice Moss')).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}console-desk-shift.png` });
    await page.setViewportSize(PHONE);
  });

  it('does not let a carer open an admin page: the API answers 403 and the page says so', async () => {
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/tokens'));
    await page.goto(`${link.url}/#/admin`);
    expect((await answer).status()).toBe(403);
    await page.getByRole('heading', { name: 'Administrators only' }).waitFor();
    const denied = page.getByRole('alert').filter({ hasText: 'Administrators only' });
    expect(await denied.textContent()).toContain('you are logged in as staff');
    expect(pageErrors).toEqual([]);
  });

  it('goes back to the login page when the session ends while the page is open', async () => {
    await page.goto(`${link.url}/#/`);
    await page.getByText('Alice Moss · staff').waitFor();
    await page.getByText('1 open alert').waitFor();
    // As the absolute expiry or a password change does; the stream's next heartbeat sees it.
    new AuthStore(g.gateway.context.db).dropSessionsOf('alice');
    await g.tick(HEARTBEAT_MS);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
