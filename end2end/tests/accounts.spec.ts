import { test, expect } from '@playwright/test';
import { freshPhone, hydrated, login } from './helpers';

test('an applicant registers: a bad phone number is shown next to the field, a good one gets in', async ({ page }) => {
  await page.goto('/register');
  await hydrated(page);
  await page.getByLabel('手机号码').fill('1381234');
  await page.getByLabel('姓名').fill('王小明');
  await page.getByLabel('密码（至少8位，含字母和数字）').fill('abc12345');
  await page.getByLabel('再次输入密码').fill('abc12345');
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page.locator('[data-field="phone"]')).toHaveText('手机号码应为11位数字');
  await expect(page).toHaveURL(/\/register$/);

  await page.getByLabel('手机号码').fill(freshPhone());
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.getByRole('heading', { name: '我的申请' })).toBeVisible();
  await expect(page.locator('.user-name')).toHaveText('王小明');
});

test('the server refuses a phone number the browser check was bypassed for', async ({ page }) => {
  await page.goto('/register');
  await hydrated(page);
  // Typed without triggering the browser's own check (no change event), as a tampered form would.
  await page.locator('input[name="phone"]').evaluate((el: HTMLInputElement) => { el.value = '12812341234'; });
  await page.getByLabel('姓名').fill('王小明');
  await page.getByLabel('密码（至少8位，含字母和数字）').fill('abc12345');
  await page.getByLabel('再次输入密码').fill('abc12345');
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page.locator('[data-field="phone"]')).toContainText('13至19');
});

const roles = [
  { login: '13800000001', home: '/me', heading: '我的申请' },
  { login: 'agent01', home: '/workbench', heading: '帮办代办工作台' },
  { login: 'manager01', home: '/workbench', heading: '帮办代办工作台' },
  { login: 'supervisor01', home: '/supervision', heading: '督查总览' },
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
