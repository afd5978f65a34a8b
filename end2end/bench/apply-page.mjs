// What a phone downloads to open the apply page, its LCP and when it becomes interactive, on
// emulated Slow 3G and Slow 4G networks (no CPU slowdown).
// Usage: BASE_URL=http://127.0.0.1:3100 node end2end/bench/apply-page.mjs   (server with demo data)
// Prints figures; it is a measurement, not a test.
import { chromium, devices } from '@playwright/test';

const base = process.env.BASE_URL || 'http://127.0.0.1:3000';
// Chrome DevTools' "Slow 3G" profile: 400 ms round trip, 400 kbit/s both ways.
const SLOW_3G = { offline: false, latency: 400, downloadThroughput: (400 * 1024) / 8, uploadThroughput: (400 * 1024) / 8 };
// Lighthouse's mobile profile ("Slow 4G"): 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up.
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const context = await browser.newContext({ ...devices['Pixel 7'], locale: 'zh-CN' });
const page = await context.newPage();

// Log in at full speed; the measured visit is the apply page itself.
await page.goto(`${base}/login`);
await page.locator('body[data-hydrated="true"]').waitFor();
await page.getByLabel('手机号或账号').fill('13800000001');
await page.getByLabel('密码').fill('demo1234');
await page.getByRole('button', { name: '登录', exact: true }).click();
await page.waitForURL(/\/me$/);
await page.goto(`${base}/catalog?q=营业执照`);
const href = await page.locator('.item-card a').first().getAttribute('href');
const applyUrl = `${base}${href}/apply`;

// Each profile is measured on a cold cache in a fresh page of the same (logged-in) context.
async function measure(name, conditions) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', conditions);
  const urls = new Map();
  const sizes = [];
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => sizes.push({ url: urls.get(e.requestId) || '?', bytes: e.encodedDataLength }));

  const started = Date.now();
  await page.goto(applyUrl, { waitUntil: 'commit' });
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 120_000 });
  const hydratedAfter = Date.now() - started;
  await page.waitForLoadState('networkidle');
  const lcp = await page.evaluate(() => new Promise((resolve) => {
    new PerformanceObserver((list) => {
      const entries = list.getEntries();
      const last = entries[entries.length - 1];
      resolve({ ms: Math.round(last.startTime), element: last.element ? last.element.tagName + '.' + last.element.className : '' });
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  }));

  const total = sizes.reduce((s, r) => s + r.bytes, 0);
  console.log(`apply page on emulated ${name} (Pixel 7): ${applyUrl}`);
  for (const r of sizes.sort((a, b) => b.bytes - a.bytes)) {
    console.log(`  ${String(r.bytes).padStart(9)} B  ${r.url.replace(base, '')}`);
  }
  console.log(`total transferred (compressed as served): ${total} B`);
  console.log(`LCP: ${lcp.ms} ms (${lcp.element}); interactive (hydrated) after ${hydratedAfter} ms`);
  await page.close();
}

await measure('Slow 3G', SLOW_3G);
await measure('Slow 4G', SLOW_4G);
await browser.close();
