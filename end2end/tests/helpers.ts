import { expect, Page } from '@playwright/test';

export const DEMO_PASSWORD = 'demo1234';

/** A fresh mainland mobile number, so runs never collide with earlier registrations. */
export function freshPhone(): string {
  const n = Math.floor(Math.random() * 1e8).toString().padStart(8, '0');
  return `139${n}`;
}

/** Waits until the wasm has taken over the server-rendered page. */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

export async function login(page: Page, loginName: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('手机号或账号').fill(loginName);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
}
