import { test, expect, Page } from '@playwright/test';
import { hydrated, login } from './helpers';

/** Records every Content-Security-Policy violation and every print the page asks for. */
async function watch(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { printed: number };
    w.printed = 0;
    window.print = () => { w.printed++; };
  });
  return violations;
}

test('on a phone: pages hydrate under the content security policy, with not one violation', async ({ page }) => {
  const violations = await watch(page);
  for (const path of ['/', '/register', '/reset']) {
    const res = await page.goto(path);
    expect(res?.headers()['content-security-policy']).toContain("'nonce-");
    await hydrated(page);
  }
  await login(page, '13800000001');
  await page.goto('/catalog?q=营业执照');
  await page.locator('.item-card').first().getByRole('link').click();
  await page.getByRole('link', { name: '申请帮办代办' }).click();
  await expect(page).toHaveURL(/\/apply$/);
  await hydrated(page);
  // An island works: the flow's first step answers.
  await expect(page.locator('leptos-island').first()).toBeVisible();
  expect(violations).toEqual([]);
});

test('staff pages hydrate under the policy and the print button still prints', async ({ page }) => {
  const violations = await watch(page);
  await login(page, 'manager01');
  await page.goto('/workbench/assign');
  await hydrated(page);
  await page.goto('/catalog/manage');
  await hydrated(page);
  const print = page.locator('a[href$="/print"]').first();
  await print.click();
  await hydrated(page);
  await page.getByRole('button', { name: '打印' }).click();
  expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
  expect(violations).toEqual([]);
});
