import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { login } from './helpers';

// A page's check takes a few seconds on a loaded machine.
test.describe.configure({ timeout: 120_000 });

// Every page of every role checked by axe-core in the real browser: no serious or critical
// violation. Applicants' and visitors' pages on the phone, staff pages on the desk.

async function check(page: Page, path: string) {
  const res = await page.goto(path);
  expect(res?.status(), path).toBeLessThan(400);
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join('\n    ')}`);
  expect(bad, `${path}\n  ${bad.join('\n  ')}`).toEqual([]);
}

/** The first link on `path` whose address starts with `prefix`. */
async function firstLink(page: Page, path: string, prefix: string): Promise<string> {
  await page.goto(path);
  const href = await page.locator(`a[href^="${prefix}"]`).first().getAttribute('href');
  expect(href, `a link to ${prefix}… on ${path}`).toBeTruthy();
  return href!.split('#')[0];
}

test.describe('on the phone', () => {
  test.skip(({ isMobile }) => !isMobile, 'applicant and public pages are checked on the phone');

  test('public pages', async ({ page }) => {
    const item = await firstLink(page, '/catalog', '/items/');
    const center = await firstLink(page, item, '/centers/');
    for (const path of ['/', '/catalog', '/catalog?q=营业执照', item, center, '/login', '/register', '/reset',
      '/complaint', '/bulletins']) {
      await check(page, path);
    }
  });

  test('applicant pages', async ({ page }) => {
    await login(page, '13800000001');
    const item = await firstLink(page, '/catalog', '/items/');
    const kase = await firstLink(page, '/me', '/cases/');
    for (const path of ['/me', kase, `${item}/apply`, '/inbox', '/ask', '/questions', '/book', '/bookings',
      '/account/password']) {
      await check(page, path);
    }
  });
});

test.describe('at the desk', () => {
  test.skip(({ isMobile }) => isMobile, 'staff pages are checked at the desk');

  test('agent pages', async ({ page }) => {
    await login(page, 'agent01');
    const kase = await firstLink(page, '/workbench?q=mine', '/cases/');
    for (const path of ['/workbench', '/workbench?q=mine', kase, '/reception', '/inbox']) {
      await check(page, path);
    }
  });

  test('manager pages', async ({ page }) => {
    await login(page, 'manager01');
    const item = await firstLink(page, '/catalog/manage', '/catalog/manage/items/');
    for (const path of ['/workbench/assign', '/catalog/manage', item, '/teams/manage', '/quality', '/oversight',
      '/inspections', '/packages', '/supervision']) {
      await check(page, path);
    }
  });

  test('supervisor pages', async ({ page }) => {
    await login(page, 'supervisor01');
    for (const path of ['/supervision', '/supervision/cases', '/supervision/teams', '/supervision/lists',
      '/quality/complaints', '/bulletins']) {
      await check(page, path);
    }
  });

  test('administrator pages', async ({ page }) => {
    await login(page, 'admin01');
    for (const path of ['/admin', '/admin/organization', '/admin/outbox', '/admin/calendar']) {
      await check(page, path);
    }
  });
});
