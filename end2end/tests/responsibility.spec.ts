import { test, expect, devices } from '@playwright/test';
import { applyFor, citizenForm, hydrated, login, markAll, pdf, sign } from './helpers';

test('a manager assigns a new case to a filed agent on a desktop, and that agent works it', async ({ browser }, info) => {
  test.skip(info.project.name !== 'desktop', 'a desk flow: runs once');
  test.setTimeout(90_000);
  // An applicant has applied (through the same server functions the phone uses).
  const applicant = await (await browser.newContext({ ...devices['Pixel 7'], locale: 'zh-CN' })).newPage();
  await login(applicant, '13800000001');
  await expect(applicant).toHaveURL(/\/me$/);
  const number = await applyFor(applicant, '发票申领', citizenForm('assist'));

  const desk = await (await browser.newContext({ ...devices['Desktop Chrome'], locale: 'zh-CN' })).newPage();
  await login(desk, 'manager01');
  await expect(desk).toHaveURL(/\/workbench$/);
  await desk.getByRole('link', { name: '指派承办人' }).click();
  await expect(desk).toHaveURL(/\/workbench\/assign$/);
  await hydrated(desk);
  // Each filed agent's open load; the unfiled agent is not offered.
  await expect(desk.locator('.agent-loads')).toContainText('刘市监');
  await expect(desk.locator('.agent-loads')).not.toContainText('孙帮办');
  const row = desk.locator(`tr[data-case="${number}"]`);
  await expect(row).toContainText('未指派');
  const choice = row.locator('option', { hasText: '刘市监' });
  await row.getByLabel(`${number}的承办人`).selectOption((await choice.getAttribute('value'))!);
  await row.getByRole('button', { name: '指派' }).click();
  // A reason is required.
  await expect(desk.locator('.form-error')).toContainText('指派原因');
  await row.getByLabel(`${number}指派原因`).fill('熟悉税务业务');
  await row.getByRole('button', { name: '指派' }).click();
  await expect(row.locator('.assignee')).toHaveText('刘市监');
  await desk.screenshot({ path: 'test-results/assign-desktop.png', fullPage: true });

  // The assigned agent finds it among their own cases and works it.
  const agent = await (await browser.newContext({ ...devices['Desktop Chrome'], locale: 'zh-CN' })).newPage();
  await login(agent, 'agent04');
  await expect(agent).toHaveURL(/\/workbench$/);
  await agent.goto('/workbench?q=mine');
  await agent.locator(`tr[data-case="${number}"]`).getByRole('link').click();
  await hydrated(agent);
  const panel = agent.locator('.work-panel');
  await sign(agent, panel);
  await panel.getByRole('button', { name: '接收申请' }).click();
  await expect(agent.locator('.case-state')).toHaveText('已接收，审核中');
  await markAll(panel);
  await panel.getByRole('button', { name: '提交审核结果' }).click();
  await expect(agent.locator('.case-state')).toHaveText('材料齐全');
  // Assist: the applicant goes to the window in person.
  await panel.getByRole('button', { name: '带领申请人到窗口办理' }).click();
  await expect(panel.locator('.field-error[data-field="applicant_attended"]')).toContainText('申请人本人');
  await panel.getByText('申请人本人已到场').click();
  await panel.getByRole('button', { name: '带领申请人到窗口办理' }).click();
  await expect(agent.locator('.case-state')).toHaveText('窗口办理中');
  await expect(agent.locator('.timeline')).toContainText('熟悉税务业务');

  // The other county agent sees the case read-only.
  const other = await (await browser.newContext({ ...devices['Desktop Chrome'], locale: 'zh-CN' })).newPage();
  await login(other, 'agent01');
  await expect(other).toHaveURL(/\/workbench$/);
  await other.goto(`/cases/${number}`);
  await expect(other.locator('.read-only')).toContainText('刘市监');
  await expect(other.locator('.work-panel')).toHaveCount(0);
  // Contact details are for the responsible agent: masked to the others.
  await expect(other.locator('.handler-phone')).toHaveText('138****0001');
  await expect(other.locator('.id-number')).toHaveText('110105********002X');
  await expect(other.locator('.masked-hint')).toBeVisible();
});

test('on a phone: the applicant of a phone booking confirms and signs the form', async ({ browser }, info) => {
  test.skip(info.project.name !== 'phone', 'the applicant is on a phone');
  // An agent registered the call: no signature yet.
  const desk = await (await browser.newContext({ ...devices['Desktop Chrome'], locale: 'zh-CN' })).newPage();
  await login(desk, 'agent01');
  await expect(desk).toHaveURL(/\/workbench$/);
  const number = await applyFor(desk, '发票申领', citizenForm('proxy'), 'phone');

  const phone = await (await browser.newContext({ ...devices['Pixel 7'], locale: 'zh-CN' })).newPage();
  await login(phone, '13800000001');
  await expect(phone).toHaveURL(/\/me$/);
  await phone.goto(`/cases/${number}`);
  await expect(phone.locator('.unsigned')).toBeVisible();
  await phone.getByRole('link', { name: '确认申请表并签名' }).click();
  await expect(phone).toHaveURL(new RegExp(`/cases/${number}/sign$`));
  await hydrated(phone);
  await expect(phone.locator('.sign-page')).toContainText('发票申领');
  await expect(phone.locator('.sign-page')).toContainText('申请人填报本表格视为同意授权委托');
  // An empty pad is refused with a message by the field.
  await expect(phone.locator('.signature-pad')).toHaveAttribute('aria-describedby', 'sig-alt');
  await expect(phone.locator('#sig-alt')).toContainText('纸质申请表');
  await phone.getByRole('button', { name: '确认并签名' }).click();
  await expect(phone.locator('.field-error, .form-error').first()).toBeVisible();
  await expect(phone.locator('.error-summary')).toContainText('请在签名框内手写签名');
  await sign(phone);
  await phone.getByRole('button', { name: '确认并签名' }).click();
  await expect(phone.getByRole('status')).toContainText('已签名确认');
  await phone.screenshot({ path: 'test-results/sign-phone.png', fullPage: true });
  await phone.getByRole('link', { name: '查看办理进度' }).click();
  await expect(phone.locator('.timeline')).toContainText('申请人签名确认');
  await expect(phone.locator('.unsigned')).toHaveCount(0);
});

test('at the desk: one who cannot sign on a screen signs the printed form, and the agent uploads it', async ({ page, isMobile }) => {
  test.skip(isMobile, 'desk work');
  await login(page, 'agent01');
  const number = await applyFor(page, '发票申领', citizenForm('proxy'), 'phone');
  await page.goto(`/cases/${number}`);
  await hydrated(page);
  const panel = page.locator('.work-panel');
  await panel.getByText('申请人到场补签申请表').click();
  const signFor = panel.locator('.sign-for');
  await expect(signFor.locator('.signature-pad')).toHaveAttribute('aria-describedby', 'paper-form-hint');
  // Neither a signature nor a form: refused, the reason by the pad.
  await signFor.getByRole('button', { name: '记录申请人签名' }).click();
  await expect(signFor.locator('.field-error[data-field="signature"]')).toContainText('纸质申请表');
  await signFor.locator('input[type=file]').setInputFiles(pdf('签字的申请表.pdf'));
  await expect(signFor.locator('.uploaded')).toContainText('已上传：签字的申请表.pdf');
  await signFor.getByRole('button', { name: '记录申请人签名' }).click();
  await expect(page.locator('.timeline')).toContainText('纸质申请表');
  await expect(page.locator('.unsigned')).toHaveCount(0);
});
