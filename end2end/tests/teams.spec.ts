import { test, expect } from '@playwright/test';
import { hydrated, login } from './helpers';

// Desk work that changes shared data, so it runs once (desktop project).
test('a manager adds an agent with items and training, a supervisor files the team, the agent is public', async ({ page }, info) => {
  test.skip(info.project.name !== 'desktop', 'desk work, run once');

  await login(page, 'manager01');
  await expect(page).toHaveURL(/\/workbench$/);
  await page.getByRole('link', { name: '队伍登记备案' }).click();
  await hydrated(page);
  await expect(page.locator('.list-status')).toHaveText('第1版 · 已备案（公示中）');
  await page.getByRole('button', { name: '调整队伍（新建草稿）' }).click();
  await expect(page.locator('.list-status')).toHaveText('第2版 · 草稿');

  await page.getByLabel('添加帮办代办员').selectOption({ label: '孙帮办（13900000005）' });
  await page.getByRole('button', { name: '添加', exact: true }).click();
  const member = page.locator('.member[data-member="孙帮办"]');
  await expect(member).toBeVisible();

  // Submitting an untrained agent is refused with the reason.
  await page.getByRole('button', { name: '提交备案' }).click();
  await expect(page.locator('.form-error').first()).toContainText('孙帮办未选负责事项、无培训记录');

  await member.getByLabel('增加负责事项').selectOption({ label: '民政局 · 最低生活保障申请' });
  await member.getByRole('button', { name: '增加', exact: true }).click();
  await expect(member.locator('.chips')).toContainText('最低生活保障申请');

  await member.getByLabel('培训日期').fill('2026-09-01');
  await member.getByLabel('培训内容').fill('社会救助业务培训');
  await member.getByLabel('学时').fill('1.25');
  await member.getByRole('button', { name: '添加培训记录' }).click();
  await expect(member.locator('.field-error[data-field="hours"]')).toHaveText('学时应为0.5至100之间的数字，最多一位小数');
  await member.getByLabel('学时').fill('1.5');
  await member.getByRole('button', { name: '添加培训记录' }).click();
  await expect(member.locator('tbody tr')).toHaveCount(1);
  await expect(member.locator('tbody tr')).toContainText('1.5');

  await page.getByRole('button', { name: '提交备案' }).click();
  await expect(page.locator('.list-status')).toHaveText('第2版 · 已提交，待备案');

  await page.getByRole('button', { name: '退出' }).click();
  await login(page, 'supervisor01');
  await page.getByRole('link', { name: '帮办代办队伍备案' }).click();
  await hydrated(page);
  const pending = page.locator('.list-block', { hasText: '内乡县行政审批服务中心 第2版' });
  await expect(pending).toContainText('社会救助业务培训（1.5学时）');
  await pending.getByRole('button', { name: '备案并公示' }).click();
  await expect(pending).toHaveCount(0);

  await page.goto('/catalog?q=低保');
  await page.locator('.item-card').first().getByRole('link').click();
  await expect(page.locator('.agents')).toContainText('孙帮办');
});
