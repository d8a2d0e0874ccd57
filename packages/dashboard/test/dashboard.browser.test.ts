import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, SystemClock } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard, type DashboardHandler } from '../src/index.js';
import { proxyTo, serve, type TestServer } from './http-helpers.js';

/** Debian's chromium package; Playwright's own browser download cannot work here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the test writes its screenshot; `DASHBOARD_SCREENSHOT=docs/dashboard.png` refreshes the one in the docs. */
const SCREENSHOT = process.env.DASHBOARD_SCREENSHOT ?? join(tmpdir(), 'baton-dashboard.png');
/** Longest wait for something to show in the page (ms); the whole file stays well under a minute. */
const SHOWS_WITHIN_MS = 10_000;

const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
if (missing) console.warn(`\n  SKIPPED the dashboard browser tests: ${CHROMIUM} is missing (apt-get install -y chromium; CI=true makes this a failure)\n`);

describe.skipIf(missing)('dashboard in headless Chromium', () => {
  const closers: Array<() => Promise<unknown> | unknown> = [];
  let browser: Browser;
  let backend: MemoryBackend;
  let proxied: string;
  let readOnly: string;

  /** Serves a dashboard of the backend; closed after the tests. */
  async function served(handler: DashboardHandler): Promise<TestServer> {
    const server = await serve(handler);
    closers.push(
      () => server.close(),
      () => handler.close(),
    );
    return server;
  }

  beforeAll(async () => {
    backend = new MemoryBackend({ clock: new SystemClock(), logger: silentLogger });
    closers.push(() => backend.close());
    const emails = backend.queue('emails', { maxAttempts: 1 });
    await emails.enqueueMany([
      { id: 'welcome-ada', payload: { to: 'ada@example.com', template: 'welcome' } },
      { id: 'invoice-1041', payload: { to: 'billing@example.com', template: 'invoice' } },
      { id: 'digest-grace', payload: { to: 'grace@example.com', template: 'digest' }, delayMs: 3_600_000 },
    ]);
    await emails.fail((await emails.dequeue())!, new Error('SMTP 550: mailbox unavailable'));
    await emails.complete((await emails.dequeue())!, { result: { messageId: '<invoice-1041@mail.example.com>' } });
    await backend.queue('reports').enqueue({ report: 'sales', month: '2026-11' }, { id: 'sales-2026-11' });
    await backend.queue('reports').pause();
    const registration = await backend.registry('baton').register({ id: 'node-1', meta: { host: 'web-1' } });
    closers.push(() => registration.deregister());

    const options = { backend, locks: ['nightly-report'], elections: ['scheduler'] };
    const dashboard = await served(createDashboard(options));
    // An operator's reverse proxy that serves the dashboard on a sub-path
    const proxy = await serve(proxyTo(dashboard.url, '/ops/baton/'));
    closers.push(() => proxy.close());
    proxied = `${proxy.url}/ops/baton/`;
    readOnly = `${(await served(createDashboard({ ...options, readOnly: true }))).url}/`;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 20_000,
    });
    closers.push(() => browser.close());
  });

  afterAll(async () => {
    // in reverse: the browser first, then the servers, the dashboards and the backend, each even if another fails
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
  });

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.setDefaultTimeout(SHOWS_WITHIN_MS);
    await page.goto(url);
    await page.locator('#live.on').waitFor();
    return page;
  }

  it('through a proxy on /ops/baton/: a task dies, shows in the dead letters live, is redriven and completes', async () => {
    const page = await open(proxied);
    expect(await page.locator('#read-only').isVisible()).toBe(false);
    const emails = backend.queue('emails', { maxAttempts: 1 });
    await expect.poll(() => page.locator('tr[data-queue="emails"] td').nth(4).textContent(), { timeout: SHOWS_WITHIN_MS }).toBe('1');

    // a task dies while the page is open: the overview shows it without a reload
    await emails.enqueue({ to: 'alan@example.com', template: 'welcome' }, { id: 'welcome-alan' });
    await emails.fail((await emails.dequeue())!, new Error('template "welcome" has no subject'));
    await page.locator('tr[data-queue="emails"] td').nth(4).getByText('2').waitFor();

    await page.locator('tr[data-queue="emails"] td').nth(4).getByRole('link').click();
    const dead = page.locator('tr[data-id="welcome-alan"]');
    await expect.poll(() => dead.textContent(), { timeout: SHOWS_WITHIN_MS }).toContain('template "welcome" has no subject');
    await dead.getByRole('checkbox').check();
    await page.locator('#redrive-selected', { hasText: 'Redrive selected (1)' }).waitFor();
    await page.screenshot({ path: SCREENSHOT });

    await page.locator('#redrive-selected').click();
    await page.locator('#flash', { hasText: 'redriven 1 of 1' }).waitFor();
    await expect.poll(() => page.locator('tr[data-id="welcome-alan"]').count(), { timeout: SHOWS_WITHIN_MS }).toBe(0);
    expect(await emails.get('welcome-alan')).toMatchObject({ state: 'waiting', attempt: 0 });

    // a worker runs it this time: its page follows it to finished
    await page.getByRole('link', { name: /^waiting/ }).click();
    await page.locator('tr[data-id="welcome-alan"]').getByRole('link').click();
    await page.locator('#task td', { hasText: 'waiting' }).first().waitFor();
    const lease = (await emails.dequeue({ holder: 'node-1' }))!;
    await page.locator('#task tr', { hasText: 'lease holder' }).getByText('node-1').waitFor();
    await emails.complete(lease, { result: { messageId: '<welcome-alan@mail.example.com>' } });
    await page.locator('#task .badge', { hasText: 'finished' }).waitFor();
    await page.getByText('<welcome-alan@mail.example.com>').waitFor();
    await page.close();
  });

  it('read-only: no change is offered, and the server refuses a redrive sent anyway with 405', async () => {
    const emails = backend.queue('emails', { maxAttempts: 1 });
    await emails.enqueue({ to: 'edsger@example.com' }, { id: 'welcome-edsger' });
    await emails.fail((await emails.dequeue())!, new Error('mailbox full'));
    const page = await open(`${readOnly}#/queue/emails/dead`);
    await page.locator('#read-only').waitFor({ state: 'visible' });
    await page.locator('tr[data-id="welcome-edsger"]').waitFor();
    expect(await page.locator('button.redrive, #redrive-all, #redrive-selected, tbody input[type=checkbox]').count()).toBe(0);
    const status = await page.evaluate(async () => {
      const response = await fetch('api/queues/emails/retry', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"ids":["welcome-edsger"]}',
      });
      return response.status;
    });
    expect(status).toBe(405);
    expect(await emails.get('welcome-edsger')).toMatchObject({ state: 'dead' });
    await page.close();
  });

  it('shows what tasks hold as text, never as markup', async () => {
    const hostile = backend.queue('hostile', { maxAttempts: 1 });
    const id = '<img src=x onerror="document.title=`pwned`">';
    await hostile.enqueue({ html: '<script>document.title="pwned"</script>' }, { id });
    await hostile.fail((await hostile.dequeue())!, new Error('<b>bold</b>'));
    const page = await open(`${proxied}#/queue/hostile/dead`);
    await page.getByText(id).waitFor();
    await page.getByText('Error: <b>bold</b>').waitFor();
    await page.getByRole('link', { name: id }).click();
    await page.locator('pre', { hasText: '<script>document.title' }).waitFor();
    expect(await page.locator('main img, main b, main script').count()).toBe(0);
    expect(await page.title()).toBe('Baton dashboard');
    await page.close();
  });
});
