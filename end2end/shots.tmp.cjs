const { chromium, devices } = require('@playwright/test');
(async () => {
  const base = process.env.BASE;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  async function ctxFor(device, login, cookies) {
    const ctx = await browser.newContext({ ...device, locale: 'zh-CN', baseURL: base });
    if (cookies) await ctx.addCookies(cookies.map(([name, value]) => ({ name, value, url: base })));
    if (login) await ctx.request.post(base + '/api/login', { form: { login_name: login, password: 'demo1234' }, headers: { Accept: 'application/json', Origin: base } });
    return ctx;
  }
  const shots = [
    ['phone-home-elder', devices['Pixel 7'], null, [['elder', '1']], '/'],
    ['phone-catalog-contrast', devices['Pixel 7'], null, [['high-contrast', '1']], '/catalog'],
    ['phone-me-elder', devices['Pixel 7'], '13800000001', [['elder', '1']], '/me'],
    ['phone-home', devices['Pixel 7'], null, null, '/'],
    ['desk-workbench', devices['Desktop Chrome'], 'agent01', null, '/workbench?q=mine'],
    ['desk-supervision', devices['Desktop Chrome'], 'supervisor01', null, '/supervision'],
  ];
  for (const [name, device, login, cookies, path] of shots) {
    const ctx = await ctxFor(device, login, cookies);
    const page = await ctx.newPage();
    await page.goto(path);
    if (name === 'desk-workbench') { await page.keyboard.press('j'); await page.keyboard.press('j'); await page.keyboard.press('?'); }
    await page.screenshot({ path: `/tmp/${name}.png`, fullPage: name.startsWith('phone') ? false : false });
    await ctx.close();
  }
  await browser.close();
})();
