import { test, expect, Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { api, applyFor, citizenForm, login } from './helpers';

// Each test applies for an item of its own: the demo applicant's draft, and with it the
// submission token, is one per item, so two tests applying for one item at once would share a case.

const root = path.resolve(__dirname, '../..');

/** Starts a second server process on the same database (as a county runs several). */
async function secondServer(port: number) {
  const log = fs.openSync(path.join(root, `target/e2e-server-${port}.log`), 'w');
  const child = spawn(path.join(root, 'target/release/server'), [], {
    cwd: root,
    env: { ...process.env, LEPTOS_SITE_ADDR: `127.0.0.1:${port}` },
    stdio: ['ignore', log, log],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    if (ok) return { base, stop: () => child.kill() };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error(`the second server did not start (see target/e2e-server-${port}.log)`);
}

/** Texts telling the applicant that case `number` was submitted. */
function textsAbout(number: string): number {
  const file = process.env.BANGBAN_SMS_FILE!;
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
  return lines.filter((l) => l.includes(number) && l.includes('已提交')).length;
}

/** Marks the document, so a test can tell the page was updated in place, not reloaded. */
async function markDocument(page: Page) {
  await page.evaluate(() => ((window as any).sameDocument = true));
}

test('two processes, one database: a login on one holds on the other, a case submitted on one appears live on the other, its SMS goes once', async ({ browser }, info) => {
  test.skip(info.project.name !== 'desktop', 'starts its own second server: one run is enough');
  const b = await secondServer(3101);
  try {
    // The agent logs in on process A and watches the workbench served by process B.
    const agentContext = await browser.newContext();
    const agent = await agentContext.newPage();
    await login(agent, 'agent01');
    await agent.goto(`${b.base}/workbench?q=new`);
    await expect(agent.getByRole('heading', { name: '帮办代办工作台' })).toBeVisible();
    await expect(agent.locator('body[data-live="connected"]')).toHaveCount(1);
    await markDocument(agent);

    // The applicant submits on process A.
    const applicantContext = await browser.newContext();
    const applicant = await applicantContext.newPage();
    await login(applicant, '13800000001');
    const number = await applyFor(applicant, '用水报装', citizenForm('assist'));

    // It appears on B's page, in place, and the queue's count follows.
    await expect(agent.locator(`tr[data-case="${number}"]`)).toBeVisible({ timeout: 5_000 });
    expect(await agent.evaluate(() => (window as any).sameDocument)).toBe(true);

    // The confirmation says what happened to the SMS: sent, once, by one of the two processes.
    await applicant.goto(`/cases/${number}?new=1`);
    await expect(applicant.locator('.sms-status')).toHaveText('短信通知：已发送到您的手机。', { timeout: 8_000 });
    await expect.poll(() => textsAbout(number)).toBe(1);
    await applicant.waitForTimeout(4_500); // two more rounds of both senders
    expect(textsAbout(number)).toBe(1);
    await agentContext.close();
    await applicantContext.close();
  } finally {
    b.stop();
  }
});

test('staff see alerts in their inbox: the header counts them, the list links the case, marking read clears the count', async ({ browser }, info) => {
  test.skip(info.project.name !== 'phone', 'changes the demo agent’s inbox: one run is enough');
  const applicantContext = await browser.newContext();
  const applicant = await applicantContext.newPage();
  await login(applicant, '13800000001');
  const context = await browser.newContext({ ...info.project.use });
  const agent = await context.newPage();
  await login(agent, 'agent04');
  await agent.goto('/inbox');
  await expect(agent.locator('body[data-live="connected"]')).toHaveCount(1);
  await markDocument(agent);
  const number = await applyFor(applicant, '跨区域涉税事项报告', citizenForm('assist'));

  // The alert arrives while the inbox is open: the count and the list update in place.
  const item = agent.locator('.message', { hasText: number });
  await expect(item).toBeVisible({ timeout: 5_000 });
  await expect(item).toHaveClass(/unread/);
  const count = agent.locator('#inbox-count');
  await expect(count).toBeVisible();
  expect(Number(await count.textContent())).toBeGreaterThan(0);
  expect(await agent.evaluate(() => (window as any).sameDocument)).toBe(true);
  await agent.screenshot({ path: info.outputPath('inbox-phone.png'), fullPage: true });

  // Big enough to tap; it links the case.
  const open = item.getByRole('link', { name: `查看代办件 ${number}` });
  // Polled: the list may be redrawn by a later message while it is measured.
  await expect.poll(async () => (await open.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44);
  await expect(open).toHaveAttribute('href', `/cases/${number}`);

  // Marking read works without the wasm (a plain form) and clears the count.
  await agent.getByRole('button', { name: /全部标为已读/ }).click();
  await expect(agent).toHaveURL(/\/inbox$/);
  await expect(agent.locator('.message.unread')).toHaveCount(0);
  await expect(count).toBeHidden();

  // SMS alerts are a choice; the agent's number is shown masked.
  await agent.getByRole('button', { name: '同时接收短信提醒' }).click();
  await expect(agent.locator('.sms-alerts')).toContainText('139****0004');
  await agent.getByRole('button', { name: '不再接收短信提醒' }).click();
  await expect(agent.locator('.sms-alerts')).toContainText('只在本站消息中显示');
  await context.close();
  await applicantContext.close();
});

test('an agent’s open case page follows a change made elsewhere', async ({ browser }, info) => {
  test.skip(info.project.name !== 'desktop', 'one run is enough');
  const applicantContext = await browser.newContext();
  const applicant = await applicantContext.newPage();
  await login(applicant, '13800000001');
  const number = await applyFor(applicant, '临时救助', citizenForm('assist'));

  const managerContext = await browser.newContext();
  const manager = await managerContext.newPage();
  await login(manager, 'manager01');
  await manager.goto(`/cases/${number}`);
  await expect(manager.locator('body[data-live="connected"]')).toHaveCount(1);
  await expect(manager.locator('.case-page')).toHaveAttribute('data-state', 'submitted');

  // The applicant withdraws on their phone; the manager's page shows it within seconds.
  await api(applicant, 'cases/withdraw', { number, reason: '不需要了' });
  await expect(manager.locator('.case-page')).toHaveAttribute('data-state', 'withdrawn', { timeout: 5_000 });
  await managerContext.close();
  await applicantContext.close();
});
