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
  const icon = await page.request.get('/favicon.ico');
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toContain('image');
  await context.close();
});

test('large text switches at once, without a reload, and holds on the next page', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  await page.evaluate(() => { (window as any).__sameDocument = 'yes'; });
  const toggle = page.getByRole('button', { name: '大字' });
  await toggle.click();
  await expect(page.locator('.page')).toHaveClass(/large-text/);
  await expect(page.getByRole('button', { name: '标准字号' })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe('yes');
  // The choice holds on the next page, drawn large by the server before any wasm runs.
  await page.goto('/catalog');
  await expect(page.locator('.page')).toHaveClass(/large-text/);
  await expect(page.getByRole('button', { name: '标准字号' })).toBeVisible();
});

test('touch targets on the home page are at least 44px tall', async ({ page }) => {
  await page.goto('/');
  for (const button of await page.locator('a.button, button').all()) {
    const box = await button.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
  }
});
