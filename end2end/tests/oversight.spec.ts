import { test, expect } from '@playwright/test';
import { api, applyFor, citizenForm, inkedSignature, login } from './helpers';

function today(): string {
  // The county's day (Beijing time), as the server reckons it.
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

// The item is this test's own (see live.spec.ts on why tests do not share items).
test('a supervisor inspects the county center with a drawn sample and issues a 通报 its manager sees', async ({ browser }, info) => {
  test.skip(info.project.name !== 'desktop', 'supervisors work at a desk');
  const applicantContext = await browser.newContext();
  const applicant = await applicantContext.newPage();
  await login(applicant, '13800000001');
  const number = await applyFor(applicant, '城乡居民养老保险参保登记', citizenForm('assist'));
  await applicantContext.close();

  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, 'supervisor01');
  await page.getByRole('link', { name: '监督检查' }).click();
  await expect(page.getByRole('heading', { name: '监督检查' })).toBeVisible();
  const title = `帮办代办专项检查 ${number}`;
  // A plan with no unit is refused at its field.
  await page.getByLabel('检查名称').fill(title);
  await page.getByRole('button', { name: '抽取样本，开始检查' }).click();
  await expect(page.locator('.field-error[data-field="unit"]')).toContainText('请选择被检查的中心或部门');
  await page.getByLabel('检查名称').fill(title);
  await page.getByLabel('被检查单位').selectOption({ label: '内乡县行政审批服务中心' });
  await page.getByLabel('抽查起始日期').fill(today());
  await page.getByLabel('抽查截止日期').fill(today());
  await page.getByLabel('抽查件数').fill('1');
  await page.getByRole('button', { name: '抽取样本，开始检查' }).click();
  await expect(page).toHaveURL(/\/inspections\/\d+$/);
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
  await expect(page.getByText(/样本由随机种子 -?\d+ 抽取/)).toBeVisible();
  // One case of the day at the center is drawn; its finding and every checklist line recorded.
  const rows = page.locator('table.sample tbody tr');
  await expect(rows).toHaveCount(1);
  await rows.first().getByLabel('检查结果').selectOption('yes');
  await rows.first().getByRole('button', { name: '记录' }).click();
  await expect(page.locator('table.sample tbody tr').first()).toContainText('无问题');
  for (const item of ['team_filed', 'list_current', 'notices_complete', 'clocks_met', 'files_complete']) {
    const check = page.locator(`tr[data-check="${item}"]`);
    await check.getByLabel('结论').selectOption('yes');
    await check.getByRole('button', { name: '记录' }).click();
    await expect(page.locator(`tr[data-check="${item}"]`)).toContainText('符合');
  }

  await page.getByLabel('通报表扬').check();
  await page.getByLabel('通报标题').fill(`${title}通报表扬`);
  await page.getByLabel('通报内容').fill('检查中该中心帮办代办工作规范，群众满意，予以通报表扬。');
  await page.getByRole('button', { name: '发布通报' }).click();
  await expect(page.locator('.bulletin')).toContainText(`${title}通报表扬`);
  await page.getByLabel('检查结论').fill('抽查件办理规范，未发现问题。');
  await page.getByRole('button', { name: '结束检查' }).click();
  await expect(page.getByRole('status')).toContainText('检查已结束');
  await page.screenshot({ path: info.outputPath('inspection-desktop.png'), fullPage: true });
  await context.close();

  // The center's manager sees the 通报 addressed to the unit.
  const managerContext = await browser.newContext();
  const manager = await managerContext.newPage();
  await login(manager, 'manager01');
  await manager.goto('/bulletins');
  await expect(manager.locator('.bulletin', { hasText: `${title}通报表扬` })).toContainText('通报表扬');
  await manager.goto('/inbox');
  await expect(manager.locator('.message', { hasText: `${title}通报表扬` })).toBeVisible();
  await managerContext.close();
});

test('an agent raises a blockage, the manager resolves it in a coordination meeting, the case shows it', async ({ browser }, info) => {
  test.skip(info.project.name !== 'desktop', 'agents and managers work at a desk');
  const applicantContext = await browser.newContext();
  const applicant = await applicantContext.newPage();
  await login(applicant, '13800000001');
  const number = await applyFor(applicant, '建设工程规划许可证', citizenForm('proxy'));
  await applicantContext.close();

  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await login(agent, 'agent01');
  const signature = await inkedSignature(agent);
  const ctx = await api(agent, 'work/context', { number });
  await api(agent, 'work/act', { number, version: ctx.version, action: { action: 'receive', signature } }, true);
  await agent.goto(`/cases/${number}`);
  const section = agent.locator('#blockages');
  await section.getByText('提出堵点（跨部门卡住时）').click();
  await section.getByLabel('卡在哪里').fill('规划条件与施工图审查对退线要求不一致');
  await section.getByLabel('自然资源局（内乡县行政审批服务中心）').check();
  await section.getByLabel('住房和城乡建设局（内乡县行政审批服务中心）').check();
  await section.getByRole('button', { name: '提出堵点' }).click();
  await expect(agent.locator('#blockages .blockage')).toContainText('待协调');
  await agentContext.close();

  const managerContext = await browser.newContext();
  const manager = await managerContext.newPage();
  await login(manager, 'manager01');
  await manager.getByRole('link', { name: '堵点协调' }).click();
  const convene = manager.locator('form.convene');
  await convene.getByLabel(new RegExp(`${number} 规划条件`)).check();
  const tomorrow = new Date(Date.now() + 32 * 3600_000).toISOString().slice(0, 10);
  await convene.getByLabel('会议日期').fill(tomorrow);
  await convene.getByLabel('会议地点').fill('县政务服务中心三楼会议室');
  await convene.getByLabel('参会人员').fill('自然资源局王股长、住建局李股长');
  await convene.getByLabel('自然资源局（内乡县行政审批服务中心）').check();
  await convene.getByLabel('住房和城乡建设局（内乡县行政审批服务中心）').check();
  await convene.getByRole('button', { name: '记录会议' }).click();
  const meeting = manager.locator('.meeting', { hasText: number }).first();
  await meeting.getByLabel('议定事项').fill('以规划条件为准，住建局据此出具意见');
  await meeting.getByLabel('责任单位或责任人').fill('住房和城乡建设局');
  await meeting.getByLabel('完成期限').fill(tomorrow);
  await meeting.getByRole('button', { name: '记录议定事项' }).click();
  const action = manager.locator('.meeting', { hasText: number }).first().locator('.action-item');
  await expect(action).toContainText('以规划条件为准');
  await action.getByLabel('完成情况').fill('住建局已出具意见');
  await action.getByRole('button', { name: '标记完成' }).click();
  await manager.screenshot({ path: info.outputPath('coordination-desktop.png'), fullPage: true });

  await manager.goto(`/cases/${number}`);
  await expect(manager.locator('#blockages .blockage')).toContainText('已解决');
  await expect(manager.locator('#blockages')).toContainText('已完成：住建局已出具意见');
  await managerContext.close();
});
