import { test, expect } from '@playwright/test';
import { api, citizenForm, hydrated, inkedSignature, login } from './helpers';

const DESK = { viewport: { width: 1280, height: 800 } };

// The items are these tests' own (see live.spec.ts on why tests do not share items).
test('on a phone: book a slot, move it, then apply from the booking', async ({ page }, info) => {
  test.skip(info.project.name !== 'phone', 'the applicant books on a phone');
  await login(page, '13800000001');
  await page.goto('/catalog?q=宽带报装');
  await page.locator('.item-card').first().getByRole('link').click();
  await page.getByRole('link', { name: '预约到场办理' }).click();
  await expect(page).toHaveURL(/\/book\?item=\d+$/);
  await page.getByLabel('第一步：选择服务中心').selectOption({ label: '内乡县行政审批服务中心' });
  await page.getByRole('button', { name: '查看可预约时段' }).click();
  // No slot chosen: the reason is at the slots.
  await page.getByRole('button', { name: '确认预约' }).click();
  await expect(page.locator('.field-error[data-field="slot"]')).toContainText('请选择一个时段');
  // Days first, then the chosen day's half hours as big tiles.
  await expect(page.locator('.days .day').first()).toHaveAttribute('aria-current', 'date');
  await page.locator('.days .day').nth(1).click();
  await expect(page).toHaveURL(/&day=\d{4}-\d{2}-\d{2}$/);
  await expect(page.locator('.days .day').nth(1)).toHaveAttribute('aria-current', 'date');
  const slots = page.locator('label.slot');
  await expect(slots.first()).toBeVisible();
  const box = (await slots.first().boundingBox())!;
  expect(box.height).toBeGreaterThanOrEqual(44);
  await slots.first().click();
  await page.screenshot({ path: info.outputPath('book-phone.png'), fullPage: true });
  await page.getByRole('button', { name: '确认预约' }).click();
  await expect(page).toHaveURL(/\/bookings\/\d+\?booked=1$/);
  await expect(page.locator('.form-ok')).toContainText('预约成功');
  await expect(page.locator('.booking-status')).toHaveText('已预约');
  const first = await page.locator('.booking-when').textContent();

  // Moved to another time, until 2 hours before.
  await page.getByText('改约其他时段').click();
  await page.getByLabel('改到').selectOption({ index: 1 });
  await page.getByRole('button', { name: '确认改约' }).click();
  await expect(page.locator('.booking-when')).not.toHaveText(first!);
  const booking = page.url().match(/\/bookings\/(\d+)/)![1];

  // "预约成功后填写申请表": the form starts from the booking.
  await page.getByRole('link', { name: '填写申请表' }).click();
  await expect(page).toHaveURL(/\/items\/\d+\/apply\?booking=\d+$/);
  await hydrated(page);
  const item = page.url().match(/\/items\/(\d+)/)![1];
  const ctx = await api(page, 'cases/apply_context', { item_id: item, booking });
  const number = await api(page, 'cases/submit', {
    item_id: Number(item), token: ctx.token, form: citizenForm('assist'), signature: await inkedSignature(page),
  }, true);
  await page.goto(`/cases/${number}`);
  await expect(page.locator('.origin')).toContainText('来自预约');
  await page.goto(`/bookings/${booking}`);
  await expect(page.getByRole('link', { name: number })).toBeVisible();
  await page.screenshot({ path: info.outputPath('booking-applied-phone.png'), fullPage: true });
});

test('a question asked on a phone is answered at the desk and the answer starts the application', async ({ browser, page }, info) => {
  test.skip(info.project.name !== 'phone', 'the applicant asks on a phone; the agent answers at a desk');
  await login(page, '13800000001');
  await page.goto('/catalog?q=食品经营许可');
  await page.locator('.item-card').first().getByRole('link').click();
  await page.getByRole('link', { name: '在线咨询' }).click();
  await page.getByRole('button', { name: '提交咨询' }).click();
  await expect(page.locator('.field-error[data-field="question"]')).toContainText('至少5个字');
  await page.getByLabel('您的问题').fill('开小吃店办食品经营许可要多久？可以代办吗？');
  await page.getByRole('button', { name: '提交咨询' }).click();
  await expect(page).toHaveURL(/\/questions\?asked=1$/);
  await expect(page.locator('.question').first()).toContainText('待答复');

  const desk = await browser.newContext(DESK);
  const agent = await desk.newPage();
  await login(agent, 'agent04');
  await agent.goto('/reception');
  const question = agent.locator('.question', { hasText: '开小吃店办食品经营许可' });
  await expect(question).toContainText('13800000001');
  await question.getByLabel('答复').fill('承诺10个工作日办结，可以代办，请准备营业执照和健康证明。');
  await question.getByLabel('建议办理方式').selectOption('proxy');
  await question.getByRole('button', { name: '答复（短信通知）' }).click();
  await expect(agent.locator('.question', { hasText: '开小吃店办食品经营许可' })).toContainText('已答复');
  await desk.close();

  await page.goto('/questions');
  const mine = page.locator('.question').first();
  await expect(mine).toContainText('承诺10个工作日办结');
  await expect(mine).toContainText('建议方式：代办');
  await page.screenshot({ path: info.outputPath('question-answered-phone.png'), fullPage: true });
  await mine.getByRole('link', { name: '据此申请办理' }).click();
  await expect(page).toHaveURL(/\/apply\?consultation=\d+$/);
  await hydrated(page);
  await expect(page.locator('.apply')).toBeVisible();
});

test('at the desk an agent books a slot for a caller and sees it in the day\'s bookings', async ({ page }, info) => {
  test.skip(info.project.name !== 'desktop', 'the desk is a desktop');
  await login(page, 'agent01');
  await page.goto('/reception');
  await page.getByText('电话预约（为来电群众预约）').click();
  const form = page.locator('form[action="/api/reception/book_for_caller"]');
  await form.getByRole('button', { name: '预约并短信告知' }).click();
  await expect(form.locator('.field-error[data-field="phone"]')).not.toBeEmpty();
  await form.getByLabel('姓名').fill('王来电');
  await form.getByLabel('手机号').fill('13712345678');
  await form.getByLabel('事项').selectOption({ label: '燃气报装' });
  const slot = form.getByLabel('时段');
  const label = (await slot.locator('option').nth(1).textContent())!;
  await slot.selectOption({ index: 1 });
  await form.getByRole('button', { name: '预约并短信告知' }).click();
  await expect(page).toHaveURL(/\/reception\?booked=1$/);
  // The slot's day, from its label ("12月1日 周二 09:00（余2）").
  const [, m, d] = label.match(/(\d+)月(\d+)日/)!;
  const year = new Date().getFullYear() + (Number(m) < new Date().getMonth() + 1 ? 1 : 0);
  const day = `${year}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  await page.goto(`/reception?day=${day}`);
  const row = page.locator('tr', { hasText: '王来电' });
  await expect(row).toContainText('电话预约');
  await expect(row).toContainText('燃气报装');
  await page.screenshot({ path: info.outputPath('reception-desk.png'), fullPage: true });
});
