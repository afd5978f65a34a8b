import { test, expect } from '@playwright/test';
import { hydrated, login } from './helpers';

test('a manager adds an item with its materials, a supervisor files the list, the public finds it', async ({ page }, info) => {
  test.skip(info.project.name !== 'desktop', 'desk work, run once');

  await login(page, 'manager01');
  await expect(page).toHaveURL(/\/workbench$/);
  await page.goto('/catalog/manage');
  await hydrated(page);
  const block = page.locator('.list-block[data-department="民政局"]');
  await block.getByRole('button', { name: '修改清单（新建草稿）' }).click();
  await expect(block.locator('.list-status')).toHaveText('第2版 · 草稿');

  // Bad input is named field by field.
  await block.getByLabel('新增事项名称').fill('高龄津贴申领');
  await block.locator('.add-item select[name="item_type"]').selectOption('promised');
  await block.getByRole('button', { name: '新增事项' }).click();
  await expect(block.locator('.add-item .field-error[data-field="category"]')).toHaveText('请选择事项类别');
  await expect(block.locator('.add-item .field-error[data-field="promised_days"]')).toHaveText('承诺件须填写承诺时限');
  await block.getByLabel('类别').selectOption({ label: '民生事务' });
  await block.getByLabel('承诺时限（工作日）').fill('10');
  await block.getByRole('button', { name: '新增事项' }).click();
  const row = block.locator('tr', { has: page.locator('input[value="高龄津贴申领"]') });
  await expect(row).toBeVisible();

  await row.getByRole('link', { name: '材料与公示信息' }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { name: '高龄津贴申领' })).toBeVisible();
  await page.getByLabel('检索别名（如“低保”，用空格分隔）').fill('高龄补贴');
  await page.getByLabel('预约电话').fill('0377-65321234');
  await page.getByRole('button', { name: '保存公示信息' }).click();
  await expect(page.locator('.form-ok', { hasText: '已保存到草稿。' })).toBeVisible();
  await page.getByLabel('材料名称').fill('户口簿');
  await page.getByLabel('形式').selectOption('original_and_copy');
  await page.getByLabel('获取途径').fill('本人持有');
  await page.getByRole('button', { name: '添加材料' }).click();
  await expect(page.locator('.data-table tbody tr')).toHaveCount(1);
  await expect(page.locator('.data-table tbody')).toContainText('户口簿');

  await page.getByRole('link', { name: '事项清单维护' }).click();
  await hydrated(page);
  await block.getByRole('button', { name: '提交备案' }).click();
  await expect(block.locator('.list-status')).toHaveText('第2版 · 已提交，待备案');

  await page.getByRole('button', { name: '退出' }).click();
  await login(page, 'supervisor01');
  await page.getByRole('link', { name: '事项清单备案' }).click();
  await hydrated(page);
  const pending = page.locator('.list-block[data-department="民政局"]');
  await pending.getByRole('button', { name: '备案并公示' }).click();
  await expect(pending).toHaveCount(0);

  await page.goto('/catalog?q=高龄补贴');
  await page.locator('.item-card').first().getByRole('link').click();
  await expect(page.getByRole('heading', { name: '高龄津贴申领' })).toBeVisible();
  await expect(page.locator('.materials')).toContainText('户口簿');
});
