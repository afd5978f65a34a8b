import { test, expect } from '@playwright/test';
import { login } from './helpers';

// 2027's arrangement is not loaded in the demo data; nothing else in the suite falls due there.
test('an administrator loads next year\'s holidays, is told of a wrong make-up day, and corrects a day', async ({ page }, info) => {
  test.skip(info.project.name !== 'desktop', 'desk work, run once');

  await login(page, 'admin01');
  await page.getByRole('link', { name: /工作日历/ }).click();
  await expect(page.getByRole('heading', { name: '工作日历' })).toBeVisible();
  const row2027 = page.locator('table.calendar-years tr', { hasText: '2027' });
  await expect(row2027).toContainText('未载入，按周末推算');
  await row2027.getByRole('link', { name: '查看' }).click();
  await expect(page.getByRole('heading', { name: '2027年的节假日与调休' })).toBeVisible();

  // The National Day week off.
  await page.locator('input[name="from"]').fill('2027-10-01');
  await page.locator('input[name="to"]').fill('2027-10-07');
  await page.locator('select[name="kind"]').selectOption('off');
  await page.locator('input[name="name"]').fill('国庆节');
  await page.getByRole('button', { name: '保存' }).first().click();
  await expect(page.getByRole('status')).toContainText('已保存');
  await expect(page.locator('table.calendar-days tr[data-date^="2027-10-0"]')).toHaveCount(7);

  // A make-up workday on a Monday is refused at its field, with the reason.
  await page.locator('input[name="from"]').fill('2027-10-04');
  await page.locator('select[name="kind"]').selectOption('work');
  await page.locator('input[name="name"]').fill('国庆节调休上班');
  await page.getByRole('button', { name: '保存' }).first().click();
  await expect(page.locator('.field-error', { hasText: '调休上班日应为周六或周日' })).toBeVisible();
  // On a Saturday it is taken.
  await page.locator('input[name="from"]').fill('2027-10-09');
  await page.locator('select[name="kind"]').selectOption('work');
  await page.locator('input[name="name"]').fill('国庆节调休上班');
  await page.getByRole('button', { name: '保存' }).first().click();
  await expect(page.locator('table.calendar-days tr[data-date="2027-10-09"]')).toContainText('调休上班');

  // A day entered by mistake is removed; the year is marked as loaded.
  await page.locator('tr[data-date="2027-10-07"]').getByRole('button', { name: '删除' }).click();
  await expect(page.locator('tr[data-date="2027-10-07"]')).toHaveCount(0);
  await page.locator('input[name="source"]').fill('国务院办公厅关于2027年部分节假日安排的通知');
  await page.getByRole('button', { name: '保存' }).last().click();
  await expect(page.locator('table.calendar-years tr', { hasText: '2027' })).toContainText('已载入：国务院办公厅关于2027年部分节假日安排的通知');
  await expect(page.locator('[data-refresh]')).toContainText('在办件期限');
});
