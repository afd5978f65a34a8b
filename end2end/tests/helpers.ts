import { expect, Locator, Page } from '@playwright/test';

export const DEMO_PASSWORD = 'demo1234';

/** A fresh mainland mobile number, so runs never collide with earlier registrations. */
export function freshPhone(): string {
  const n = Math.floor(Math.random() * 1e8).toString().padStart(8, '0');
  return `139${n}`;
}

/**
 * The code in the latest verification SMS to `phone`, as its owner reads it: the development
 * SMS sender writes every message to BANGBAN_SMS_FILE (the server's worker sends within seconds).
 */
export async function smsCode(phone: string): Promise<string> {
  const file = process.env.BANGBAN_SMS_FILE;
  if (!file) throw new Error('BANGBAN_SMS_FILE is not set: run the tests through scripts/test.sh');
  const fs = await import('node:fs');
  for (let i = 0; i < 100; i++) {
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
    const codes = lines
      .filter(Boolean)
      .map((l: string) => JSON.parse(l))
      .filter((m: { phone: string }) => m.phone === phone)
      .map((m: { body: string }) => /验证码为(\d{6})/.exec(m.body)?.[1])
      .filter(Boolean);
    if (codes.length) return codes[codes.length - 1] as string;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no code was sent to ${phone}`);
}

/** Waits until the wasm has taken over the server-rendered page (a loaded 2-core CI machine has
 * taken over 10 s to compile the staff bundle). */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 20_000 });
}

export async function login(page: Page, loginName: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('手机号或账号').fill(loginName);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  // Logged in (the page moves on) or refused (the message shows): only then is the next step
  // sure not to race the login's own navigation.
  await Promise.race([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.locator('.form-error').waitFor(),
  ]);
}

/** Draws a signature with the pointer on the signature pad (the first one within `scope`). */
export async function sign(page: Page, scope?: Locator) {
  // A stroke drawn before the pad's island runs would be lost.
  await hydrated(page);
  const pad = (scope ?? page).locator('canvas.signature-pad').first();
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.7);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) {
    await page.mouse.move(box.x + box.width * (0.1 + i * 0.04), box.y + box.height * (0.7 - (i % 5) * 0.1));
  }
  await page.mouse.up();
}

/** Marks every line of the review checklist (once the steps panel has loaded it). */
export async function markAll(panel: Locator, status = 'received') {
  const rows = panel.locator('.review tbody tr');
  await expect(rows.first()).toBeVisible();
  for (const r of await rows.all()) await r.locator('select').selectOption(status);
}

/** A small real PDF to upload, named `name`. */
export function pdf(name: string) {
  return {
    name,
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
  };
}

/** Calls a server function from the page, as its own scripts do (same origin, its session). */
export async function api(page: Page, endpoint: string, body: Record<string, unknown>, json = false): Promise<any> {
  return page.evaluate(async ({ endpoint, body, json }) => {
    const res = await fetch(`/api/${endpoint}`, {
      method: 'POST',
      headers: json
        ? { 'Content-Type': 'application/json', Accept: 'application/json' }
        : { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: json ? JSON.stringify(body) : new URLSearchParams(body as Record<string, string>).toString(),
    });
    const answer = await res.json();
    if (!res.ok) throw new Error(`${endpoint}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  }, { endpoint, body, json });
}

/** A handwritten-looking signature as the pad sends it (a PNG data URL drawn in the page). */
export async function inkedSignature(page: Page): Promise<string> {
  return page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 600;
    c.height = 220;
    const g = c.getContext('2d')!;
    g.lineWidth = 6;
    g.strokeStyle = '#1f2328';
    g.beginPath();
    g.moveTo(50, 160);
    for (let x = 50; x <= 550; x += 25) g.lineTo(x, 60 + ((x / 25) % 4) * 30);
    g.stroke();
    return c.toDataURL('image/png');
  });
}

/** A citizen's application form (附件1) for the demo applicant. */
export function citizenForm(mode: 'assist' | 'proxy') {
  return {
    applicant_kind: 'citizen',
    unit_name: '张秀英',
    address: '内乡县湍东镇八里营村3组',
    id_number: '11010519491231002X',
    handler_name: '张秀英',
    handler_phone: '13800000001',
    services: ['window_acceptance'],
    mode,
    terms_accepted: true,
  };
}

/** Files an application for `item` through the page's session; answers the case number. */
export async function applyFor(page: Page, item: string, form: Record<string, unknown>, channel?: string): Promise<string> {
  const found = await api(page, 'catalog/search', { q: item, category: '', center: '', item_type: '' });
  const id = found.find((i: { name: string }) => i.name === item).id;
  const ctx = await api(page, 'cases/apply_context', { item_id: String(id) });
  const signature = channel === 'phone' ? '' : await inkedSignature(page);
  return api(page, 'cases/submit', { item_id: id, token: ctx.token, form, signature, channel }, true);
}
