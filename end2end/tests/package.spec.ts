import { test, expect } from '@playwright/test';
import { hydrated, login, pdf, sign } from './helpers';

test('on a phone: apply once for 开办餐饮店 and follow each department\'s case', async ({ page }, info) => {
  test.skip(info.project.name !== 'phone', 'the applicant flow is a phone flow');
  await login(page, '13800000001');
  await page.goto('/catalog');
  await page.getByRole('link', { name: '开办餐饮店' }).click();
  await expect(page).toHaveURL(/\/one\/\d+$/);
  // Three items, one checklist with the business licence asked for once.
  await expect(page.locator('.materials').first().locator('li')).toHaveCount(3);
  await expect(page.locator('.materials').nth(1).locator('li', { hasText: /^营业执照/ })).toHaveCount(1);
  await page.getByRole('link', { name: '一次申请，全部办理' }).click();
  await expect(page).toHaveURL(/\/one\/\d+\/apply$/);
  await hydrated(page);
  await expect(page.locator('.breadcrumb')).toContainText('开办餐饮店');

  await page.getByText('企业（单位）', { exact: true }).click();
  await page.getByLabel('企业（单位）名称').fill('内乡县湍河人家餐饮有限公司');
  await page.getByLabel('地址', { exact: true }).fill('内乡县城关镇菊潭大街66号');
  await page.getByLabel('法定代表人（负责人）').fill('张秀英');
  await page.getByLabel('统一社会信用代码').fill('91411325MA9G7HLX4N');
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByLabel('经办人姓名').fill('张秀英');
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByText('大厅综合窗口受理').click();
  await page.locator('input[name="mode"][value="proxy"]').check();
  await page.getByRole('button', { name: '下一步' }).click();
  const row = page.locator('.material-uploads li').first();
  await row.locator('input[type=file]').setInputFiles(pdf('公司章程.pdf'));
  await expect(row.locator('.uploaded')).toContainText('已上传：公司章程.pdf');
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByText('我已阅读并同意以上申请须知').click();
  await sign(page);
  await page.getByRole('button', { name: '提交申请' }).click();

  // The parent: each item's case at its own department, results together.
  await expect(page).toHaveURL(/\/cases\/411325-\d{8}-\d{4}\?new=1$/);
  const parent = page.locator('.package-case');
  await expect(parent.locator('.form-ok')).toContainText('3个事项');
  const subs = parent.locator('.sub-cases li');
  await expect(subs).toHaveCount(3);
  await expect(subs.nth(0)).toContainText('市场监督管理局');
  await expect(subs.nth(0)).toContainText('（牵头）');
  await expect(subs.nth(2)).toContainText('税务局');
  await expect(subs.nth(2)).toContainText('已提交');
  await expect(parent.locator('.delivery-choice')).toContainText('一并送达');
  await expect(parent.locator('.files')).toContainText('公司章程.pdf');
  await page.screenshot({ path: info.outputPath('package-case-phone.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // The applicant may ask for each result as it is ready.
  await parent.getByRole('button', { name: '改为分别送达' }).click();
  await expect(page.locator('.delivery-choice')).toContainText('分别');

  // Each case names its package and has its own clocks.
  await subs.nth(2).getByRole('link').click();
  await expect(page.locator('.package-link')).toContainText('开办餐饮店');
  await expect(page.locator('.clocks')).toContainText('代办员审核材料');
  await page.locator('.package-link a').click();
  await expect(page.locator('.package-case')).toBeVisible();
  // "我的申请" lists the package application.
  await page.goto('/me');
  await expect(page.getByText('“一件事”申请')).toBeVisible();
  await expect(page.locator('.item-list').first()).toContainText('开办餐饮店');
});
