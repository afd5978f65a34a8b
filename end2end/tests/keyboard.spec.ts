import { test, expect } from '@playwright/test';
import { applyFor, citizenForm, hydrated, login } from './helpers';

// Agents work all day with a keyboard: the workbench and a case's steps without a mouse.
test('an agent moves through the queue and into a case with the keyboard', async ({ page, isMobile }) => {
  test.skip(isMobile, 'desk work, run once');
  test.setTimeout(60_000);
  await login(page, 'agent01');
  // A phone booking the agent registers: a case of the agent's own in the queue.
  await page.goto('/');
  await applyFor(page, '最低生活保障申请', citizenForm('proxy'), 'phone');
  await page.goto('/workbench?q=mine');
  await expect(page.locator('#shortcuts summary')).toContainText('键盘快捷键');
  const links = page.locator('tr[data-case] a');
  await expect(links.first()).toBeVisible();

  await page.keyboard.press('j');
  await expect(links.first()).toBeFocused();
  if ((await links.count()) > 1) {
    await page.keyboard.press('j');
    await expect(links.nth(1)).toBeFocused();
    await page.keyboard.press('k');
    await expect(links.first()).toBeFocused();
  }
  // The row with the focus is marked, and Enter opens the case.
  await expect(page.locator('tr[data-case]:focus-within')).toHaveCount(1);
  const href = await links.first().getAttribute('href');
  await page.keyboard.press('Enter');
  await page.waitForURL(`**${href}`);

  // On the case page `s` reaches the steps panel; `w` goes back to the workbench.
  await expect(page.locator('main h1')).toBeVisible();
  if (await page.locator('.work-panel').count()) {
    // The steps panel's controls are usable once its island runs.
    await hydrated(page);
    await page.keyboard.press('s');
    await expect(page.locator('.work-panel :focus')).toHaveCount(1);
    await page.locator('body').click({ position: { x: 1, y: 1 } });
  }
  await page.keyboard.press('w');
  await page.waitForURL('**/workbench');

  // `]` moves to the next queue, `?` opens the list of keys.
  const current = page.locator('nav.queues a[aria-current="page"]');
  const first = await current.getAttribute('data-queue');
  await page.keyboard.press(']');
  await expect(current).not.toHaveAttribute('data-queue', first!);
  // Keys reach the page once its scripts run, when the document has been read.
  await page.waitForLoadState('domcontentloaded');
  await page.keyboard.press('?');
  await expect(page.locator('#shortcuts')).toHaveAttribute('open', '');
  // Keys typed into a field are the field's.
  await page.goto('/catalog');
  await page.locator('input[name=q]').first().press('w');
  await expect(page).toHaveURL(/\/catalog/);
});
