// From a change committed through one server process to its appearance on a page served by
// another: 100 reassignments by the manager on process A, watched on agent01's workbench
// ("我的代办件") served by process B. Prints p50/p99; a measurement, not a test.
// Usage (after a release build): node end2end/bench/live-latency.mjs
// It makes its own database (bangban_bench_live) and starts the two processes on 3201/3202.
import { chromium, request } from '@playwright/test';
import { execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const server = path.join(root, 'target/release/server');
const env = {
  ...process.env,
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/bangban_bench_live',
  LEPTOS_OUTPUT_NAME: 'bangban', LEPTOS_SITE_ROOT: 'target/site', LEPTOS_SITE_PKG_DIR: 'pkg', LEPTOS_ENV: 'PROD',
  BANGBAN_SMS_FILE: path.join(root, 'target/bench-live-sms.jsonl'),
  RUST_LOG: 'warn',
};
execFileSync(server, ['--fresh', '--migrate-only', '--demo'], { cwd: root, env, stdio: 'inherit' });
const procs = [3201, 3202].map((port) =>
  spawn(server, [], { cwd: root, env: { ...env, LEPTOS_SITE_ADDR: `127.0.0.1:${port}` }, stdio: 'inherit' }));
const [A, B] = ['http://127.0.0.1:3201', 'http://127.0.0.1:3202'];
for (const base of [A, B]) {
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/readyz`).then((r) => r.ok, () => false)) break;
    if (i > 100) throw new Error(`${base} did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function session(base, login) {
  const ctx = await request.newContext({ baseURL: base, extraHTTPHeaders: { Origin: base, Accept: 'application/json' } });
  const res = await ctx.post('/api/login', { form: { login_name: login, password: 'demo1234' } });
  if (!res.ok()) throw new Error(`login ${login}: ${res.status()}`);
  return ctx;
}
const call = async (ctx, endpoint, form) => {
  const res = await ctx.post(`/api/${endpoint}`, { form });
  if (!res.ok()) throw new Error(`${endpoint}: ${res.status()} ${await res.text()}`);
  return res.json();
};
const callJson = async (ctx, endpoint, body) => {
  const res = await ctx.post(`/api/${endpoint}`, { data: body });
  if (!res.ok()) throw new Error(`${endpoint}: ${res.status()} ${await res.text()}`);
  return res.json();
};

// One case, submitted by the demo applicant, to pass between agent01 and agent04.
const applicant = await session(A, '13800000001');
const found = await call(applicant, 'catalog/search', { q: '发票申领', category: '', center: '', item_type: '' });
const item = found.find((i) => i.name === '发票申领').id;
const ctx = await call(applicant, 'cases/apply_context', { item_id: String(item) });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
const scratch = await browser.newPage();
const signature = await scratch.evaluate(() => {
  const c = document.createElement('canvas');
  c.width = 600; c.height = 220;
  const g = c.getContext('2d');
  g.lineWidth = 6; g.beginPath(); g.moveTo(50, 160);
  for (let x = 50; x <= 550; x += 25) g.lineTo(x, 60 + ((x / 25) % 4) * 30);
  g.stroke();
  return c.toDataURL('image/png');
});
const number = await callJson(applicant, 'cases/submit', {
  item_id: item, token: ctx.token, signature,
  form: {
    applicant_kind: 'citizen', unit_name: '张秀英', address: '内乡县湍东镇八里营村3组',
    id_number: '11010519491231002X', handler_name: '张秀英', handler_phone: '13800000001',
    services: ['window_acceptance'], mode: 'assist', terms_accepted: true,
  },
});

const manager = await session(A, 'manager01');
const board = await call(manager, 'work/assignments', {});
const ids = Object.fromEntries(board.agents.map((a) => [a.name, a.id]));
const [agent01, agent04] = [ids['李帮办'], ids['刘市监']];

// agent01 watches "我的代办件" on B.
const context = await browser.newContext();
const page = await context.newPage();
await page.goto(`${B}/login`);
await page.locator('body[data-hydrated="true"]').waitFor();
await page.getByLabel('手机号或账号').fill('agent01');
await page.getByLabel('密码').fill('demo1234');
await page.getByRole('button', { name: '登录', exact: true }).click();
await page.waitForURL((u) => !u.pathname.startsWith('/login'));
await page.goto(`${B}/workbench?q=mine`);
await page.locator('body[data-live="connected"]').waitFor();

const fromCommit = [];
const fromRequest = [];
for (let i = 0; i < 100; i++) {
  const to = i % 2 === 0 ? agent01 : agent04;
  const version = (await call(manager, 'work/context', { number })).version;
  const started = Date.now();
  await callJson(manager, 'work/act', { number, version, action: { action: 'assign', agent_id: to, reason: `轮换 ${i}` } });
  const committed = Date.now();
  await page.waitForFunction(
    ([n, present]) => !!document.querySelector(`tr[data-case="${n}"]`) === present,
    [number, to === agent01],
    { polling: 'raf', timeout: 10_000 },
  );
  const shown = Number(await page.evaluate(() => document.body.dataset.liveAt));
  fromCommit.push(shown - committed);
  fromRequest.push(shown - started);
}
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
console.log(`changes: ${fromCommit.length} (reassignments on process A, watched on process B's workbench)`);
console.log(`from the change's answer to the page updated on B: p50 ${pct(fromCommit, 50)} ms, p99 ${pct(fromCommit, 99)} ms, max ${Math.max(...fromCommit)} ms`);
console.log(`from the change's request to the page updated on B: p50 ${pct(fromRequest, 50)} ms, p99 ${pct(fromRequest, 99)} ms`);
await browser.close();
for (const p of procs) p.kill();
