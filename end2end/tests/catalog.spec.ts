import { test, expect } from '@playwright/test';
import { hydrated } from './helpers';

test('on a phone: search 营业执照 from the home page, open the item, see its materials', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  await page.getByRole('searchbox').fill('营业执照');
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page).toHaveURL(/\/catalog\?q=/);
  const first = page.locator('.item-card').first();
  await expect(first).toContainText('企业设立登记（营业执照）');
  await first.getByRole('link').click();
  await expect(page.getByRole('heading', { name: '企业设立登记（营业执照）' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '需要准备的材料' })).toBeVisible();
  await expect(page.locator('.materials li')).toHaveCount(5);
  await expect(page.locator('.materials')).toContainText('公司章程');
  await expect(page.getByRole('link', { name: '申请帮办代办' })).toBeVisible();
});

test('filters narrow the catalog and work without the wasm', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/catalog?q=低保');
  await expect(page.locator('.item-card').first()).toContainText('最低生活保障申请');
  await page.goto('/catalog?category=utilities');
  await expect(page.locator('.item-card')).toHaveCount(6);
  await context.close();
});

test('a center page shows its address, phone and items', async ({ page }) => {
  await page.goto('/catalog?q=户口迁入');
  await page.locator('.item-card').first().getByRole('link').click();
  await page.getByRole('link', { name: /公安局 · 内乡县公安户政分大厅/ }).click();
  await expect(page.getByRole('heading', { name: '内乡县公安户政分大厅' })).toBeVisible();
  // 户口迁入, 出生登记（新生儿落户）, 居民身份证换领.
  await expect(page.locator('.item-card')).toHaveCount(3);
});

test('on a phone: an item page lists the filed agents on duty with their phones', async ({ page }) => {
  await page.goto('/catalog?q=低保');
  await page.locator('.item-card').first().getByRole('link').click();
  await expect(page.getByRole('heading', { name: '在岗帮办代办员' })).toBeVisible();
  const agents = page.locator('.agents');
  await expect(agents).toContainText('李帮办');
  await expect(agents).toContainText('王代办');
  // A county agent not yet in the filed team is not public.
  await expect(agents).not.toContainText('孙帮办');
  await expect(agents.getByRole('link', { name: '13900000001' })).toHaveAttribute('href', 'tel:13900000001');
});
