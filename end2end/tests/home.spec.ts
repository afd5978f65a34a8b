import { test, expect } from '@playwright/test';
import { hydrated } from './helpers';

test('the home page is readable before the wasm arrives', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { name: '政务服务帮办代办' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '怎么申请' })).toBeVisible();
  // Those who would rather call find the number, not just "拨打预约电话".
  await expect(page.locator('.call-us a.phone')).toHaveText(/^[\d-]{7,}$/);
  // The icon comes with the page (no request of its own); /favicon.ico is there for others.
  await expect(page.locator('link[rel=icon]')).toHaveAttribute('href', /^data:image\/png;base64,/);
  const icon = await page.request.get('/favicon.ico');
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toContain('image');
  await context.close();
});

test('the elderly mode switches at once, without a reload, and holds on the next page', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  await page.evaluate(() => { (window as any).__sameDocument = 'yes'; });
  const toggle = page.getByRole('button', { name: '长辈模式' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(page.locator('.page')).toHaveClass(/\belder\b/);
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe('yes');
  // The choice holds on the next page, drawn large by the server before any script runs.
  await page.context().route('**/*.js', (r) => r.abort());
  await page.goto('/catalog');
  await expect(page.locator('.page')).toHaveClass(/\belder\b/);
  await expect(page.getByRole('button', { name: '长辈模式' })).toHaveAttribute('aria-pressed', 'true');
  const size = await page.locator('main p, main li').first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  expect(size).toBeGreaterThanOrEqual(18);
  for (const target of await page.locator('main a.button, main button, header .nav-link, header button').all()) {
    if (!(await target.isVisible())) continue;
    const box = await target.boundingBox();
    expect(box?.height ?? 0, await target.innerText()).toBeGreaterThanOrEqual(48);
  }
  // The number to call, in view at the top of the page.
  await expect(page.locator('.help-line a.phone')).toHaveText(/^[\d-]{7,}$/);
  await expect(page.locator('.help-line')).toBeInViewport();
  // Nothing spills sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('high contrast switches on beside it and is remembered', async ({ page }) => {
  await page.goto('/catalog');
  await hydrated(page);
  await page.getByRole('button', { name: '高对比度' }).click();
  await expect(page.locator('.page')).toHaveClass(/high-contrast/);
  await page.goto('/');
  await expect(page.locator('.page')).toHaveClass(/high-contrast/);
  await expect(page.locator('.page')).not.toHaveClass(/\belder\b/);
  const ink = await page.locator('main h1').evaluate((e) => getComputedStyle(e).color);
  expect(ink).toBe('rgb(0, 0, 0)');
});

test('touch targets on the home page are at least 44px tall', async ({ page }) => {
  await page.goto('/');
  for (const button of await page.locator('a.button, button').all()) {
    const box = await button.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
  }
});
