import { test, expect } from '@playwright/test';
import * as fs from 'node:fs';
import { api, applyFor, citizenForm, login } from './helpers';

// The item is this test's own (see live.spec.ts on why tests do not share items).
test('a supervisor reads the week’s figures, opens a chart’s cases, searches one and exports the list', async ({ browser }, info) => {
  test.skip(info.project.name !== 'desktop', 'supervisors work at a desk');

  // A case that came in and was withdrawn today: its review clock finished this week, on time.
  const applicantContext = await browser.newContext();
  const applicant = await applicantContext.newPage();
  await login(applicant, '13800000001');
  const number = await applyFor(applicant, '燃气报装', citizenForm('assist'));
  await api(applicant, 'cases/withdraw', { number, reason: '不需要了' });
  await applicantContext.close();

  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await login(page, 'supervisor01');
  await expect(page).toHaveURL(/\/supervision$/);
  await expect(page.getByRole('heading', { name: '督查统计' })).toBeVisible();
  // This week, by center: the form is a plain GET form (the page has no wasm).
  await page.getByLabel('统计周期').selectOption('week');
  await page.getByLabel('分组').selectOption('center');
  await page.getByRole('button', { name: '统计', exact: true }).click();
  await expect(page).toHaveURL(/period=week/);
  await expect(page.locator('.period-label')).toContainText('全县');
  await expect(page.locator('.figures-table tfoot')).toContainText('合计');

  // The review bar of the chart opens the cases whose review clock ended this week.
  await page.locator('svg.chart a', { hasText: '审核时限' }).click();
  await expect(page).toHaveURL(/\/supervision\/cases\?.*basis=clock.*clock=agent_review/);
  await expect(page.getByRole('heading', { name: '代办件查询' })).toBeVisible();
  await expect(page.locator('.cases-found')).toContainText(number);

  // Search by number: one row, the applicant's name masked.
  await page.getByLabel('编号').fill(number);
  await page.getByRole('button', { name: '查询', exact: true }).click();
  const rows = page.locator('.cases-found tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('张**');
  await expect(rows.first()).not.toContainText('张秀英');
  await expect(rows.first()).toContainText('已撤回');

  // A wrong date is named next to its field, and nothing is listed.
  await page.goto('/supervision/cases?from=2026-02-30');
  await expect(page.locator('.field-error[data-field="from"]')).toHaveText('起始日期格式应为“2026-11-30”');
  await expect(page.locator('.cases-found')).toHaveCount(0);

  // Export the list as the search showed it.
  await page.goto(`/supervision/cases?number=${number}`);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: '导出 CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const csv = fs.readFileSync((await download.path())!, 'utf8');
  expect(csv).toContain(number);
  expect(csv).toContain('张**');
  expect(csv).not.toContain('张秀英');
  await context.close();
});
