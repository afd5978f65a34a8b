// The download budget (issue 12): what a phone fetches on a cold first visit to each page an
// applicant uses, as served (brotli), cache disabled. No applicant page fetches the staff
// accounts' bundle, none downloads more than BUDGET, and pages without islands load no wasm;
// staff pages are measured and printed.
import { test, expect, Browser, devices } from '@playwright/test';
import { applyFor, citizenForm, DEMO_PASSWORD } from './helpers';

// Issue 12: at most 250 kB for any page an applicant opens.
const BUDGET = 250_000;

// The staff accounts' bundle (every island, the steps panel and editors too).
const STAFF_CODE = /\/pkg\/staff\//;

type Load = { total: number; files: { url: string; bytes: number }[] };

/** Opens `path` in a fresh phone context (logged in as `who`, if given) and counts every byte. */
async function coldLoad(browser: Browser, baseURL: string, path: string | ((p: import('@playwright/test').Page) => Promise<string>), who?: string): Promise<Load & { path: string }> {
  const context = await browser.newContext({ ...devices['Pixel 7'], locale: 'zh-CN', baseURL });
  if (who) {
    // Logging in through the server function keeps the measured visit the first to load the app.
    const res = await context.request.post('/api/login', {
      form: { login_name: who, password: DEMO_PASSWORD },
      headers: { Accept: 'application/json', Origin: baseURL },
    });
    expect(res.ok(), `login as ${who}`).toBeTruthy();
  }
  let target: string;
  if (typeof path === 'string') {
    target = path;
  } else {
    // Found on a page of its own, so none of its requests are counted.
    const finder = await context.newPage();
    target = await path(finder);
    await finder.close();
  }
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const urls = new Map<string, string>();
  const files: { url: string; bytes: number }[] = [];
  // A live page fetches its own parts again when something changes (a message arrives, the
  // case moves on): that is an update after the visit, not what the visit costs, and whether
  // one happens during the measurement depends on what else the database is doing.
  const updates = new Set<string>();
  cdp.on('Network.requestWillBeSent', (e: any) => {
    urls.set(e.requestId, e.request.url);
    if (e.type === 'Fetch' && e.request.url === new URL(target, baseURL).href) updates.add(e.requestId);
  });
  cdp.on('Network.loadingFinished', (e: any) => {
    if (updates.has(e.requestId)) return;
    files.push({ url: (urls.get(e.requestId) || '?').replace(baseURL, ''), bytes: e.encodedDataLength });
  });
  await page.goto(target);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 20_000 });
  if (await page.locator('[data-live]').count()) {
    // A page with live parts keeps its stream open, so the network is never idle: wait for the
    // stream instead, then for anything the page still loads.
    await expect(page.locator('body[data-live="connected"]')).toHaveCount(1);
    await page.waitForTimeout(500);
  } else {
    await page.waitForLoadState('networkidle');
  }
  await context.close();
  files.sort((a, b) => b.bytes - a.bytes);
  return { path: target, total: files.reduce((s, f) => s + f.bytes, 0), files };
}

function report(title: string, loads: (Load & { path: string })[]) {
  const lines = [title];
  for (const l of loads) {
    lines.push(`  ${String(l.total).padStart(9)} B  ${l.path}`);
    for (const f of l.files.slice(0, 8)) lines.push(`      ${String(f.bytes).padStart(9)} B  ${f.url}`);
  }
  console.log(lines.join('\n'));
}

/** A case of the logged-in applicant's own, filed for the measurement. */
async function ownCase(page: import('@playwright/test').Page) {
  await page.goto('/me');
  return `/cases/${await applyFor(page, '最低生活保障申请', citizenForm('proxy'))}`;
}

async function firstItem(page: import('@playwright/test').Page) {
  await page.goto('/catalog?q=营业执照');
  return (await page.locator('.item-card a').first().getAttribute('href'))!;
}

test('an applicant\'s pages stay within the download budget and never fetch staff code', async ({ browser, baseURL }, info) => {
  test.skip(info.project.name !== 'phone', 'measured once, as a phone');
  test.setTimeout(120_000);
  const applicant = '13800000001';
  const loads = [];
  for (const [path, who] of [
    ['/', undefined],
    ['/catalog', undefined],
    [firstItem, undefined],
    [async (p: any) => `${await firstItem(p)}/apply`, applicant],
    ['/me', applicant],
    [ownCase, applicant],
    ['/login', undefined],
    ['/register', undefined],
  ] as const) {
    loads.push(await coldLoad(browser, baseURL!, path as any, who));
  }
  report(`cold first visit, as served (budget ${BUDGET} B each):`, loads);
  // Pages with nothing interactive but the display switches load no wasm at all.
  for (const l of loads.slice(0, 3).concat(loads[4])) {
    expect(l.files.filter((f) => f.url.endsWith('.wasm')).map((f) => f.url), `${l.path} loads wasm`).toEqual([]);
  }
  for (const l of loads) {
    const staff = l.files.filter((f) => STAFF_CODE.test(f.url)).map((f) => f.url);
    expect(staff, `${l.path} fetches the staff pages' code`).toEqual([]);
    expect(l.total, `${l.path} downloads ${l.total} B`).toBeLessThanOrEqual(BUDGET);
  }
});

test('staff pages: what they download, for the record', async ({ browser, baseURL }, info) => {
  test.skip(info.project.name !== 'phone', 'measured once');
  test.setTimeout(120_000);
  const loads = [];
  for (const [path, who] of [
    ['/workbench', 'agent01'],
    // A phone booking the agent registered and now works: the page with the steps panel.
    [async (p: any) => {
      await p.goto('/');
      return `/cases/${await applyFor(p, '最低生活保障申请', citizenForm('proxy'), 'phone')}`;
    }, 'agent01'],
    ['/workbench/assign', 'manager01'],
    ['/catalog/manage', 'manager01'],
    ['/supervision', 'supervisor01'],
    ['/admin', 'admin01'],
  ] as const) {
    loads.push(await coldLoad(browser, baseURL!, path as any, who));
  }
  report('staff pages, cold first visit, as served (not limited):', loads);
});

test('a return visit asks whether stylesheets and scripts changed and downloads none that did not; pages are never kept', async ({ request }, info) => {
  test.skip(info.project.name !== 'phone', 'checked once');
  for (const asset of ['/staff.css', '/pkg/bangban.js']) {
    const first = await request.get(asset);
    expect(first.status(), asset).toBe(200);
    expect(first.headers()['cache-control'], asset).toBe('no-cache');
    const since = first.headers()['last-modified'];
    expect(since, `${asset} says when it changed`).toBeTruthy();
    const again = await request.get(asset, { headers: { 'If-Modified-Since': since } });
    expect(again.status(), `${asset} unchanged`).toBe(304);
  }
  // A page may carry someone's personal data: no browser or proxy keeps it.
  const page = await request.get('/catalog');
  expect(page.headers()['cache-control']).toBe('no-store');
});
