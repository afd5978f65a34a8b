import { test, expect } from '@playwright/test';
import { hydrated, login } from './helpers';

test('an administrator adds, renames and retires departments and windows, and moves a station', async ({ page }, info) => {
  test.skip(info.project.name !== 'desktop', 'desk work, run once');

  await login(page, 'admin01');
  await expect(page).toHaveURL(/\/admin$/);
  await page.getByRole('link', { name: /组织机构/ }).click();
  await hydrated(page);

  const township = page.locator('.org-center[data-center="夏馆镇便民服务中心"]');
  const departments = township.locator('.org-units[data-kind="department"]');
  await departments.getByLabel('新入驻部门名称').fill('夏馆镇社会事务办');
  await departments.getByRole('button', { name: '添加入驻部门' }).click();
  const added = departments.locator('li', { has: page.locator('input[value="夏馆镇社会事务办"]') });
  await expect(added).toBeVisible();
  await added.getByLabel('入驻部门').fill('夏馆镇社会事务服务办');
  await added.getByRole('button', { name: '改名' }).click();
  await expect(departments.locator('input[value="夏馆镇社会事务服务办"]')).toBeVisible();

  const windows = township.locator('.org-units[data-kind="window"]');
  await windows.getByLabel('新窗口名称').fill('综合受理窗口');
  await windows.getByRole('button', { name: '添加窗口' }).click();
  const win = windows.locator('li', { has: page.locator('input[value="综合受理窗口"]') });
  await expect(win).toBeVisible();
  await win.getByRole('button', { name: '撤销' }).click();
  await expect(win).toContainText('（已撤销）');

  // A village station moves to another township; a station cannot sit under the county center.
  const station = page.locator('.org-center[data-center="湍东镇八里营村便民服务站"]');
  await station.getByLabel('上级中心').selectOption({ label: '内乡县行政审批服务中心' });
  await station.getByRole('button', { name: '调整上级' }).click();
  await expect(page.locator('.form-error').first()).toContainText('村（社区）便民服务站的上级应为乡镇中心');
  await station.getByLabel('上级中心').selectOption({ label: '夏馆镇便民服务中心' });
  await station.getByRole('button', { name: '调整上级' }).click();
  // The earlier refusal goes away once the move is done.
  await expect(page.locator('.form-error')).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(
    page.locator('.org-center[data-center="湍东镇八里营村便民服务站"]').getByLabel('上级中心').locator('option:checked'),
  ).toHaveText('夏馆镇便民服务中心');
});
