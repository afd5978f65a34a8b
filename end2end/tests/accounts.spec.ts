import { test, expect } from '@playwright/test';
import { freshPhone, hydrated, login, smsCode } from './helpers';

test('an applicant registers with an SMS code: a bad phone number is shown next to the field, a good one gets in', async ({ page }) => {
  await page.goto('/register');
  await hydrated(page);
  await page.getByLabel('手机号码').fill('1381234');
  await page.getByRole('button', { name: '获取验证码' }).click();
  await expect(page.locator('[data-field="phone"]')).toHaveText('手机号码应为11位数字');

  const phone = freshPhone();
  await page.getByLabel('手机号码').fill(phone);
  await page.getByRole('button', { name: '获取验证码' }).click();
  await expect(page.locator('.code-status')).toContainText(`短信正在发送到 ${phone.slice(0, 3)}****${phone.slice(7)}`);
  // The button counts down before another code may be asked for.
  await expect(page.locator('button.send-code')).toBeDisabled();
  await expect(page.locator('button.send-code')).toContainText('秒后可重发');
  await page.getByLabel('短信验证码').fill(await smsCode(phone));
  await page.getByLabel('姓名').fill('王小明');
  await page.getByLabel('密码（至少8位，含字母和数字）').fill('abc12345');
  await page.getByLabel('再次输入密码').fill('abc12345');
  await page.getByRole('button', { name: '注册', exact: true }).click();
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.getByRole('heading', { name: '我的申请' })).toBeVisible();
  await expect(page.locator('.user-name')).toHaveText('王小明');
});

test('the server refuses a phone number the browser check was bypassed for, and a wrong code', async ({ page }) => {
  await page.goto('/register');
  await hydrated(page);
  // Typed without triggering the browser's own check (no change event), as a tampered form would.
  await page.locator('input[name="phone"]').evaluate((el: HTMLInputElement) => { el.value = '12812341234'; });
  await page.getByLabel('短信验证码').fill('123456');
  await page.getByLabel('姓名').fill('王小明');
  await page.getByLabel('密码（至少8位，含字母和数字）').fill('abc12345');
  await page.getByLabel('再次输入密码').fill('abc12345');
  await page.getByRole('button', { name: '注册', exact: true }).click();
  await expect(page.locator('[data-field="phone"]')).toContainText('13至19');

  await page.getByLabel('手机号码').fill(freshPhone());
  await page.getByRole('button', { name: '注册', exact: true }).click();
  await expect(page.locator('[data-field="code"]')).toHaveText('验证码错误或已失效，请重新获取');
  await expect(page).toHaveURL(/\/register$/);
});

test('on a phone: a person who forgot the password resets it with an SMS code and is logged in', async ({ page }, info) => {
  test.skip(info.project.name !== 'phone', 'one demo account, reset once');
  await page.goto('/login');
  await page.getByRole('link', { name: '忘记密码' }).click();
  await expect(page).toHaveURL(/\/reset$/);
  await expect(page.getByRole('heading', { name: '找回密码' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('手机号码').fill('13800000009');
  await page.getByRole('button', { name: '获取验证码' }).click();
  await expect(page.locator('.code-status')).toContainText('如该手机号已注册，验证码短信将发送到 138****0009');
  await page.getByLabel('短信验证码').fill(await smsCode('13800000009'));
  await page.getByLabel('新密码（至少8位，含字母和数字）').fill('xin-mima-2026');
  await page.getByLabel('再次输入新密码').fill('xin-mima-2026');
  await page.getByRole('button', { name: '设置新密码并登录' }).click();
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.locator('.user-name')).toHaveText('赵桂兰');
});

const roles = [
  { login: '13800000001', home: '/me', heading: '我的申请' },
  { login: 'agent01', home: '/workbench', heading: '帮办代办工作台' },
  { login: 'manager01', home: '/workbench', heading: '帮办代办工作台' },
  { login: 'supervisor01', home: '/supervision', heading: '督查统计' },
  { login: 'admin01', home: '/admin', heading: '系统管理：工作人员账号' },
];

for (const r of roles) {
  test(`demo ${r.login} logs in and lands on their home`, async ({ page }) => {
    await login(page, r.login);
    await expect(page).toHaveURL(new RegExp(`${r.home}$`));
    await expect(page.getByRole('heading', { name: r.heading })).toBeVisible();
  });
}

test('a wrong password is refused with a message', async ({ page }) => {
  await login(page, 'agent02', 'wrong-password1');
  await expect(page.locator('.form-error')).toHaveText('账号或密码错误');
  await expect(page).toHaveURL(/\/login/);
});

test('an applicant opening the agent workbench gets the 403 page', async ({ page }) => {
  await login(page, '13800000001');
  await expect(page).toHaveURL(/\/me$/);
  const response = await page.goto('/workbench');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: '403 无权访问' })).toBeVisible();
});

test('a visitor opening a staff page is sent to log in, then back', async ({ page }) => {
  await page.goto('/supervision');
  await expect(page).toHaveURL(/\/login\?next=\/supervision$/);
  await expect(page.locator('.login-why')).toContainText('请先登录');
  await hydrated(page);
  await page.getByLabel('手机号或账号').fill('supervisor01');
  await page.getByLabel('密码').fill('demo1234');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page).toHaveURL(/\/supervision$/);
});

test('logging out ends the session', async ({ page }) => {
  await login(page, 'agent01');
  await expect(page).toHaveURL(/\/workbench$/);
  await page.getByRole('button', { name: '退出' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/workbench');
  await expect(page).toHaveURL(/\/login\?next=\/workbench$/);
});

test('on a phone: a visitor who taps 申请 is told to log in first, then lands on the form', async ({ page }) => {
  await page.goto('/catalog?q=营业执照');
  await page.locator('.item-card').first().getByRole('link').click();
  await page.getByRole('link', { name: '申请帮办代办' }).click();
  await expect(page).toHaveURL(/\/login\?next=\/items\/\d+\/apply$/);
  await expect(page.locator('.login-why')).toHaveText('请先登录再申请。还没有账号的，用手机号注册即可。');
  await hydrated(page);
  await page.getByLabel('手机号或账号').fill('13800000001');
  await page.getByLabel('密码').fill('demo1234');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page).toHaveURL(/\/items\/\d+\/apply$/);
});

test('an administrator resets a staff password; the person must set their own at the next login', async ({ page, browser }, info) => {
  test.skip(info.project.name !== 'desktop', 'desk work, run once');
  await login(page, 'admin01');
  const row = page.locator('tr', { hasText: 'agent05' });
  await row.getByRole('button', { name: '重置密码' }).click();
  const shown = page.locator('.temporary-password strong');
  await expect(shown).toHaveText(/^[a-z2-9]{8}\d$/);
  const temporary = (await shown.textContent())!;
  await expect(row).toContainText('待改初始密码');
  await page.screenshot({ path: 'test-results/admin-staff.png', fullPage: true });

  const context = await browser.newContext({ viewport: { width: 412, height: 915 } });
  const agent = await context.newPage();
  await login(agent, 'agent05', temporary);
  await expect(agent).toHaveURL(/\/account\/password$/);
  await expect(agent.locator('.next-step')).toContainText('请先设置只有您知道的新密码');
  // Every other page sends them back here until it is done.
  await agent.goto('/workbench');
  await expect(agent).toHaveURL(/\/account\/password$/);
  await hydrated(agent);
  await agent.getByLabel('当前密码').fill(temporary);
  await agent.getByLabel('新密码（至少8位，含字母和数字）').fill('wo-de-mima-9');
  await agent.getByLabel('再次输入新密码').fill('wo-de-mima-9');
  await agent.screenshot({ path: 'test-results/change-password-phone.png', fullPage: true });
  await agent.getByRole('button', { name: '修改密码' }).click();
  await expect(agent).toHaveURL(/\/workbench$/);
  await context.close();
});
