import { test, expect } from '@playwright/test';
import { hydrated, login, pdf, sign } from './helpers';

test('on a phone: apply as an enterprise, fix the credit code, sign, upload a PDF, submit and track', async ({ page }, info) => {
  test.skip(info.project.name !== 'phone', 'the applicant flow is a phone flow');

  await login(page, '13800000001');
  await expect(page).toHaveURL(/\/me$/);
  await page.goto('/catalog?q=营业执照');
  await page.locator('.item-card').first().getByRole('link').click();
  await page.getByRole('link', { name: '申请帮办代办' }).click();
  await expect(page).toHaveURL(/\/items\/\d+\/apply$/);
  await hydrated(page);

  // Step 1: the applicant. A wrong credit code is named under its field as soon as it is left.
  await page.getByText('企业（单位）', { exact: true }).click();
  await page.getByLabel('企业（单位）名称').fill('内乡县宛西制药有限公司');
  await page.getByLabel('地址', { exact: true }).fill('内乡县城关镇工业路18号');
  await page.getByLabel('法定代表人（负责人）').fill('张秀英');
  await page.getByLabel('统一社会信用代码').fill('91411325MA9XXXXXX0');
  await page.getByLabel('统一社会信用代码').blur();
  const codeError = page.locator('.field-error[data-field="id_number"]');
  await expect(codeError).not.toBeEmpty();
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page.getByText('第1步 申请人')).toBeVisible();
  // Trying to go on: a summary on top names what is wrong, the focus is on the wrong field.
  const errors = page.locator('.error-summary');
  await expect(errors).toContainText('请先改正以下 1 处');
  await expect(errors.getByRole('link')).toHaveText((await codeError.textContent())!);
  await expect(page.getByLabel('统一社会信用代码')).toBeFocused();
  await expect(page.getByLabel('统一社会信用代码')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('统一社会信用代码').fill('91411325MA9G7HLX4N');
  await expect(codeError).toBeEmpty();
  await expect(errors).toHaveCount(0);
  await expect(page.getByLabel('统一社会信用代码')).not.toHaveAttribute('aria-invalid', 'true');
  await page.getByRole('button', { name: '下一步' }).click();

  // Step 2: the handler (the account's name and phone are filled in).
  await expect(page.getByText('第2步 经办人')).toBeVisible();
  await expect(page.getByLabel('经办人手机号')).toHaveValue('13800000001');
  await page.getByLabel('经办人姓名').fill('张秀英');
  await page.getByRole('button', { name: '下一步' }).click();

  // Step 3: service content and mode.
  await expect(page.getByText('第3步 服务内容')).toBeVisible();
  await page.getByText('大厅综合窗口受理').click();
  await page.getByText('邮寄送达').click();
  await page.getByLabel('邮寄地址').fill('内乡县城关镇工业路18号');
  await page.getByLabel('收件人', { exact: true }).fill('李会计');
  // Couriers call before delivering: the recipient's phone is asked for and checked.
  await page.getByLabel('收件人手机号（快递员联系用）').fill('1390000');
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page.locator('.field-error[data-field="mail_phone"]')).toContainText('收件人手机号码');
  await page.getByLabel('收件人手机号（快递员联系用）').fill('139 0000 0002');
  await page.locator('input[name="mode"][value="assist"]').check();
  await page.screenshot({ path: 'test-results/apply-services-phone.png', fullPage: true });
  await page.getByRole('button', { name: '下一步' }).click();

  // Step 4: one upload per material of the item's checklist, with remove and replace.
  await expect(page.getByText('第4步 申请材料')).toBeVisible();
  const row = page.locator('.material-uploads li').first();
  const material = (await row.getAttribute('data-material'))!;
  await row.locator('input[type=file]').setInputFiles(pdf('错的文件.pdf'));
  await expect(row.locator('.uploaded')).toContainText('已上传：错的文件.pdf');
  await row.getByRole('button', { name: `删除${material}的文件` }).click();
  await expect(row.locator('.uploaded')).toHaveCount(0);
  await row.locator('input[type=file]').setInputFiles(pdf('旧版.pdf'));
  await expect(row.locator('.uploaded')).toContainText('已上传：旧版.pdf');
  await row.locator('input[type=file]').setInputFiles(pdf('公司章程.pdf'));
  await expect(row.locator('.uploaded')).toHaveText(/已上传：公司章程\.pdf/);
  await expect(row.locator('.upload-button')).toContainText('更换文件');
  // A program renamed to .pdf is refused.
  await row.locator('input[type=file]').setInputFiles({
    name: '营业执照.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00 not really a pdf'),
  });
  await expect(row.locator('.upload .field-error[data-field="material"]')).toHaveText('只能上传PDF、JPG或PNG文件（按文件内容识别）');
  await expect(row.locator('.uploaded')).toContainText('已上传：公司章程.pdf');
  await page.getByRole('button', { name: '下一步' }).click();

  // Step 5: everything the signature covers, then terms, signature, submit.
  await expect(page.getByText('第5步 确认并签名')).toBeVisible();
  const summary = page.locator('.summary');
  await expect(summary).toContainText('91411325MA9G7HLX4N');
  await expect(summary.locator('.summary-services')).toHaveText('大厅综合窗口受理、邮寄送达');
  await expect(summary.locator('.summary-delivery')).toHaveText('邮寄送达：内乡县城关镇工业路18号（收件人 李会计，电话 139 0000 0002）');
  await expect(summary.locator('.summary-mode')).toContainText('帮办');
  await expect(summary.locator('.summary-files')).toHaveText(`${material}：公司章程.pdf`);
  await page.screenshot({ path: 'test-results/apply-summary-phone.png', fullPage: true });
  await page.getByText('我已阅读并同意以上申请须知').click();
  // Who cannot sign on a screen is told what to do instead.
  await expect(page.locator('#sig-alt')).toContainText('纸质申请表');
  await expect(page.locator('.signature-pad')).toHaveAttribute('aria-describedby', 'sig-alt');
  await sign(page);
  await expect(page.locator('.signature')).toContainText('已签名');
  await page.getByRole('button', { name: '提交申请' }).click();

  await expect(page).toHaveURL(/\/cases\/411325-\d{8}-\d{4}\?new=1$/);
  const number = page.url().match(/411325-\d{8}-\d{4}/)![0];
  await expect(page.locator('.form-ok')).toContainText(`申请编号 ${number}`);
  await expect(page.locator('.case-state')).toHaveText('已提交');
  await expect(page.locator('.clocks')).toContainText('代办员审核材料');
  await expect(page.locator('.timeline')).toContainText('提交申请');
  await expect(page.locator('.files')).toContainText('公司章程.pdf');
  await expect(page.locator('.files')).toContainText(material);
  await expect(page.locator('.files')).not.toContainText('旧版.pdf');
  // The applicant's own page: no staff wording, their own details in full.
  await expect(page.locator('.work-panel')).toHaveCount(0);

  // The printable form fits the phone's width.
  await page.goto(`/cases/${number}/print`);
  await expect(page.locator('.application-form')).toContainText('内乡县宛西制药有限公司');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/print-form-phone.png', fullPage: true });

  // "我的申请" lists it.
  await page.goto('/me');
  await expect(page.locator('.case-list')).toContainText(number);
});

test('in the elderly mode the form asks one question per screen', async ({ page, context, baseURL }, info) => {
  test.skip(info.project.name !== 'phone', 'the applicant flow is a phone flow');
  await login(page, '13800000001');
  await context.addCookies([{ name: 'elder', value: '1', url: baseURL! }]);
  await page.goto('/catalog?q=最低生活保障');
  await page.goto(`${await page.locator('.item-card a').first().getAttribute('href')}/apply`);
  await hydrated(page);
  const asked = page.locator('.apply input[type=text]:visible');
  const field = (name: string) => page.locator(`input[name=${name}]`);
  // First only whether one applies as an enterprise or a person.
  await expect(page.locator('input[name=applicant_kind]').first()).toBeVisible();
  await expect(asked).toHaveCount(0);
  await page.getByText('个人', { exact: true }).click();
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(field('unit_name')).toBeVisible();
  await expect(asked).toHaveCount(1);
  // An empty answer holds the screen: the reason on top, the focus on the field.
  await field('unit_name').fill('');
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page.locator('.error-summary')).toBeVisible();
  await expect(field('unit_name')).toBeFocused();
  await field('unit_name').fill('张秀英');
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(field('address')).toBeVisible();
  await expect(asked).toHaveCount(1);
  await field('address').fill('内乡县湍东镇八里营村3组');
  await page.getByRole('button', { name: '下一步' }).click();
  // A person is not asked for a legal representative.
  await expect(field('id_number')).toBeVisible();
  await expect(asked).toHaveCount(1);
  await page.screenshot({ path: 'test-results/apply-elder-phone.png', fullPage: true });
  await page.getByRole('button', { name: '上一步' }).click();
  await expect(field('address')).toBeVisible();
  await expect(asked).toHaveCount(1);
});
