import { test, expect } from '@playwright/test';
import { hydrated, login } from './helpers';

// Managers and supervisors work at desks; the flow changes shared data, so it runs once.
test('a manager edits an item and submits, a supervisor files it, and the change is public', async ({ page }, info) => {
  test.skip(info.project.name !== 'desktop', 'desk work, run once');

  await login(page, 'manager01');
  await expect(page).toHaveURL(/\/workbench$/);
  await page.getByRole('link', { name: '事项清单维护' }).click();
  await hydrated(page);
  const block = page.locator('.list-block[data-department="医疗保障局"]');
  await expect(block.locator('.list-status')).toHaveText('第1版 · 已备案（公示中）');
  await block.getByRole('button', { name: '修改清单（新建草稿）' }).click();
  await expect(block.locator('.list-status')).toHaveText('第2版 · 草稿');

  const row = block.locator('tr', { has: page.locator('input[value="门诊慢特病待遇认定"]') });
  await row.getByLabel('承诺时限').fill('12');
  // Submitting waits for the save to be answered (two requests would otherwise race).
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/catalog/save_item') && r.ok()),
    row.getByRole('button', { name: '保存' }).click(),
  ]);
  await expect(row.getByLabel('承诺时限')).toHaveValue('12');
  await block.getByRole('button', { name: '提交备案' }).click();
  await expect(block.locator('.list-status')).toHaveText('第2版 · 已提交，待备案');

  // Not public yet.
  await page.goto('/catalog?q=门诊慢特病');
  await expect(page.locator('.item-card').first()).toContainText('15个工作日');

  await page.getByRole('button', { name: '退出' }).click();
  await expect(page).toHaveURL(/\/$/);
  await login(page, 'supervisor01');
  await page.getByRole('link', { name: '事项清单备案' }).click();
  await hydrated(page);
  const pending = page.locator('.list-block[data-department="医疗保障局"]');
  await expect(pending).toContainText('12个工作日');
  await pending.getByRole('button', { name: '备案并公示' }).click();
  await expect(pending).toHaveCount(0);

  await page.goto('/catalog?q=门诊慢特病');
  await expect(page.locator('.item-card').first()).toContainText('承诺件 · 12个工作日');
});

test('a manager imports a list file: bad rows are listed and nothing changes, a good file fills the draft', async ({ page, request }, info) => {
  test.skip(info.project.name !== 'desktop', 'desk work, run once');
  await login(page, 'manager01');
  await expect(page).toHaveURL(/\/workbench$/);
  await page.goto('/catalog/manage');
  await hydrated(page);
  const block = page.locator('.list-block[data-department="税务局"]');
  const exported = await (await request.get(await block.getByRole('link', { name: 'CSV' }).getAttribute('href') ?? '')).text();

  const bad = exported.replace('2,税务局,发票申领', '2,民政局,发票申领').replace('即办类,,企业注册登记,,\r\n3', '快办类,,企业注册登记,,\r\n3');
  await block.locator('input[type=file]').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await block.getByRole('button', { name: '导入到草稿' }).click();
  await expect(block.locator('.row-errors li')).toHaveCount(1);
  await expect(block.locator('.row-errors li').first()).toContainText('第3行：单位名称应为“税务局”，实为“民政局”');
  await expect(block.locator('.list-status')).toHaveText('第1版 · 已备案（公示中）');

  const good = exported.replace('发票申领', '发票领用');
  await block.locator('input[type=file]').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await block.getByRole('button', { name: '导入到草稿' }).click();
  await expect(block.locator('.list-status')).toHaveText('第2版 · 草稿');
  await expect(block.locator('input[value="发票领用"]')).toBeVisible();
});
