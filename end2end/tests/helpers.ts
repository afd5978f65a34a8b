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

/** Draws a signature with the pointer on the page's signature pad. */
export async function sign(page: Page) {
  const pad = page.locator('canvas.signature-pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.7);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) {
    await page.mouse.move(box.x + box.width * (0.1 + i * 0.04), box.y + box.height * (0.7 - (i % 5) * 0.1));
  }
  await page.mouse.up();
}

/** A small real PDF to upload, named `name`. */
export function pdf(name: string) {
  return {
    name,
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
  };
}
