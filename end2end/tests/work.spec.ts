import { test, expect, devices } from '@playwright/test';
import { hydrated, login, markAll, pdf, sign } from './helpers';

test('an applicant applies on a phone, an agent works the case to mail delivery, the applicant sees every step', async ({ browser }, info) => {
  test.skip(info.project.name !== 'desktop', 'two people, two devices: runs once');
  test.setTimeout(120_000);

  // The applicant, on a phone, applies by proxy for 最低生活保障.
  const phone = await (await browser.newContext({ ...devices['Pixel 7'], locale: 'zh-CN' })).newPage();
  await login(phone, '13800000001');
  await expect(phone).toHaveURL(/\/me$/);
  await phone.goto('/catalog?q=低保');
  await phone.locator('.item-card').first().getByRole('link').click();
  await phone.getByRole('link', { name: '申请帮办代办' }).click();
  await hydrated(phone);
  await phone.getByText('个人', { exact: true }).click();
  await phone.getByLabel('姓名', { exact: true }).fill('张秀英');
  await phone.getByLabel('地址', { exact: true }).fill('内乡县湍东镇八里营村3组');
  await phone.getByLabel('公民身份号码').fill('11010519491231002X');
  await phone.getByRole('button', { name: '下一步' }).click();
  await phone.getByLabel('经办人姓名').fill('张秀英');
  await phone.getByRole('button', { name: '下一步' }).click();
  await phone.getByText('大厅综合窗口受理').click();
  await phone.getByText('邮寄送达').click();
  await phone.getByLabel('邮寄地址').fill('内乡县湍东镇八里营村3组');
  await phone.getByLabel('收件人', { exact: true }).fill('张秀英');
  await phone.getByLabel('收件人手机号（快递员联系用）').fill('13800000001');
  await phone.locator('input[name="mode"][value="proxy"]').check();
  await phone.getByRole('button', { name: '下一步' }).click();
  await phone.getByRole('button', { name: '下一步' }).click();
  await phone.getByText('我已阅读并同意以上申请须知').click();
  await sign(phone);
  await phone.getByRole('button', { name: '提交申请' }).click();
  await expect(phone).toHaveURL(/\/cases\/411325-/);
  const number = phone.url().match(/411325-\d{8}-\d{4}/)![0];

  // The agent, at a desk, finds it among the new applications.
  const desk = await (await browser.newContext({ ...devices['Desktop Chrome'], locale: 'zh-CN' })).newPage();
  await login(desk, 'agent01');
  await expect(desk).toHaveURL(/\/workbench$/);
  await hydrated(desk);
  await desk.locator(`tr[data-case="${number}"]`).getByRole('link').click();
  await hydrated(desk);
  const panel = desk.locator('.work-panel');
  // The agent signs under 代办人 and becomes responsible.
  await sign(desk, panel);
  await panel.getByRole('button', { name: '接收申请' }).click();
  await expect(desk.locator('.case-state')).toHaveText('已接收，审核中');

  // The agent works with the applicant's contact details in full, on an agent's page.
  await expect(desk.locator('.staff-case .handler-phone')).toHaveText('13800000001');
  await expect(desk.locator('.staff-case .id-number')).toHaveText('11010519491231002X');
  await expect(desk.locator('.case-page')).not.toContainText('我的申请');
  await expect(desk.locator('.case-page')).not.toContainText('请保持电话畅通');

  // Review: nothing is checked until the agent marks it; one click passes nothing.
  const rows = panel.locator('.review tbody tr');
  await panel.getByRole('button', { name: '提交审核结果' }).click();
  await expect(panel.locator('.field-errors[data-field="checks"]')).toContainText('尚未核对');
  await expect(desk.locator('.case-state')).toHaveText('已接收，审核中');
  // The first material is missing → the one-time notice, previewed before it goes out.
  const first = rows.first();
  const missing = (await first.getAttribute('data-material'))!;
  await markAll(panel);
  await first.locator('select').selectOption('missing');
  await first.getByLabel(`${missing}缺少原因`).fill('');
  await first.getByLabel(`${missing}缺少原因`).blur();
  await panel.getByRole('button', { name: '提交审核结果' }).click();
  await expect(panel.locator('.field-errors[data-field="checks"]')).toContainText(`“${missing}”缺少时须写明缺少原因`);
  await first.getByLabel(`${missing}缺少原因`).fill('未提供');
  await first.getByLabel(`${missing}缺少原因`).blur();
  await panel.getByRole('button', { name: '提交审核结果' }).click();
  const preview = panel.locator('.notice-preview');
  await expect(preview).toContainText(missing);
  await expect(preview).toContainText('原因：未提供');
  await expect(preview).toContainText('获取途径');
  await expect(preview).toContainText('李帮办');
  await expect(preview).toContainText('内乡县');
  await expect(desk.locator('.case-state')).toHaveText('已接收，审核中');
  await desk.screenshot({ path: 'test-results/notice-preview-desktop.png', fullPage: true });
  await preview.getByRole('button', { name: '确认发出一次性告知' }).click();
  await expect(desk.locator('.case-state')).toHaveText('待补齐材料');

  // The applicant's open page hears of it by itself (and reloads: the next page waits for that).
  await expect(phone.locator('.case-state')).toHaveText('待补齐材料');
  await phone.waitForLoadState('load');
  // The applicant's list says what waits on them.
  await phone.goto('/me');
  const listed = phone.locator('.item-card', { hasText: number });
  await expect(listed).toHaveClass(/needs-you/);
  await expect(listed).toContainText(`需要您补齐材料：${missing}`);
  // The applicant sees what is missing and how to get it, uploads it and sees it ticked off.
  await listed.getByRole('link').click();
  await hydrated(phone);
  const line = phone.locator(`.notice-now li[data-material="${missing}"]`);
  await expect(line).toContainText('获取途径');
  await expect(line).not.toHaveClass(/done/);
  await line.locator('.upload input[type=file]').setInputFiles(pdf('补正材料.pdf'));
  await expect(line).toHaveClass(/done/);
  await expect(line).toContainText('已上传：补正材料.pdf');
  await expect(phone.locator('.files')).toContainText('补正材料.pdf');
  await phone.screenshot({ path: 'test-results/notice-answer-phone.png', fullPage: true });
  await phone.getByRole('button', { name: '材料已补齐，请代办员审核' }).click();
  await expect(phone.locator('.case-state')).toHaveText('已接收，审核中');

  // The agent's open page follows by itself (live updates); then the agent completes the
  // review, signs the handover, hands in, records acceptance and mail.
  await expect(desk.locator('.case-state')).toHaveText('已接收，审核中');
  await hydrated(desk);
  await markAll(panel);
  await panel.getByRole('button', { name: '提交审核结果' }).click();
  await expect(desk.locator('.case-state')).toHaveText('材料齐全');
  // What the applicant signs is on screen above the pad.
  await expect(panel.locator('.handover-text')).toContainText('委托协议');
  await expect(panel.locator('.handover-text .handover-materials')).toContainText(missing);
  await sign(desk, panel);
  await panel.getByRole('button', { name: '确认交接' }).click();
  await expect(desk.locator('.case-state')).toHaveText('材料已交接');
  await panel.getByLabel('窗口收件编号').fill('SJ-2026-1128');
  await panel.getByRole('button', { name: '递交窗口' }).click();
  await expect(desk.locator('.case-state')).toHaveText('已递交窗口');
  await panel.getByRole('button', { name: '窗口已受理' }).click();
  await expect(desk.locator('.case-state')).toHaveText('窗口已受理');
  await panel.getByRole('button', { name: '已出具审批结果' }).click();
  await expect(desk.locator('.case-state')).toHaveText('已出结果');
  // Delivery starts from what the applicant asked for; every wrong field is named beside it.
  await expect(panel.getByLabel('收件地址')).toHaveValue('内乡县湍东镇八里营村3组');
  await expect(panel.getByLabel('收件人', { exact: true })).toHaveValue('张秀英');
  await expect(panel.getByLabel('收件人手机号')).toHaveValue('13800000001');
  await panel.getByLabel('收件人', { exact: true }).fill('');
  await panel.getByRole('button', { name: '送达' }).click();
  await expect(panel.locator('.field-error[data-field="recipient"]')).toContainText('收件人');
  await expect(panel.locator('.field-error[data-field="tracking_number"]')).toContainText('快递单号');
  await panel.getByLabel('收件人', { exact: true }).fill('张秀英');
  await panel.getByLabel('快递单号').fill('EA123456789CN');
  await panel.getByRole('button', { name: '送达' }).click();
  await expect(desk.locator('.case-state')).toHaveText('送达中');
  // Mailed: 办结 asks for no door signature.
  await expect(panel.getByRole('button', { name: '办结', exact: true })).toBeVisible();
  await expect(panel.locator('.door-signature')).toHaveCount(0);
  await panel.getByRole('button', { name: '办结', exact: true }).click();
  await expect(desk.locator('.case-state')).toHaveText('已办结');

  // The applicant's open page has followed every step (live updates): the tracking number and
  // the whole record.
  await expect(phone.locator('.case-state')).toHaveText('已办结');
  const timeline = phone.locator('.timeline');
  for (const step of ['提交申请', '接收申请', '一次性告知缺少材料', '补齐材料', '审核通过，材料齐全', '材料交接并签署委托协议', '递交窗口', '窗口受理', '出具审批结果', '送达结果']) {
    await expect(timeline).toContainText(step);
  }
  await expect(timeline).toContainText('EA123456789CN');
  await expect(phone.locator('.case-page')).toContainText('李帮办');
  // The finished case asks the applicant for a rating.
  await expect(phone.locator('#rate')).toContainText('您对本次帮办代办服务满意吗？');
});
