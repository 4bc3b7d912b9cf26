import { test, expect, Page } from '@playwright/test';
import { fillPosting } from './support';

// The admin side, with JavaScript on and off: sign in, post a job with a mistake, fix it, publish it,
// find it on the public pages, and sign out. One sign-in per test: sign-in is rate limited per address.

const EMAIL = process.env.E2E_ADMIN_EMAIL ?? '';
const PASSWORD = process.env.E2E_ADMIN_PASSWORD ?? '';

const jsOn = (testInfo: { project: { name: string } }) => testInfo.project.name === 'javascript-on';

/** Console and page errors, except the browser's note about the refused form's 422 answer. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && !text.includes('status of 422')) errors.push(text);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

async function ready(page: Page, on: boolean) {
  if (on) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

async function signIn(page: Page, on: boolean) {
  await page.goto('/admin/jobs');
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=%2Fadmin%2Fjobs/);
  await ready(page, on);
  await page.locator('#sign-in-email').fill(EMAIL);
  await page.locator('#sign-in-password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin\/jobs$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Postings');
  await ready(page, on);
}

test('an admin posts a job with a mistake, fixes it, publishes it and finds it', async ({ page }, testInfo) => {
  const on = jsOn(testInfo);
  const errors = watchErrors(page);
  // Unique per project and repetition: the server's database lives for the whole run.
  const title = `Queue Engineer ${on ? 'JS' : 'HTML'} ${testInfo.repeatEachIndex + 1}`;
  await signIn(page, on);
  await page.getByRole('link', { name: 'New posting', exact: true }).first().click();
  await expect(page).toHaveURL(/\/admin\/jobs\/new$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New posting');
  await ready(page, on);

  // The mistake: the maximum is below the minimum.
  await fillPosting(page, title, '150000', '120000');
  if (on) {
    // The Markdown preview follows the text.
    await expect(page.locator('.section-preview strong')).toHaveText('message queues');
  }
  await page.getByRole('button', { name: 'Publish' }).click();
  const error = page.locator('#pay_max-error');
  await expect(error).toHaveText('The minimum must not be more than the maximum.');
  await expect(page.locator('.form-error-summary')).toContainText('nothing was saved');
  // Everything typed is still there.
  await expect(page.locator('#field-title')).toHaveValue(title);
  await expect(page.locator('#field-company')).toHaveValue('tiktok');
  await expect(page.locator('#field-city_1')).toHaveValue('San Jose');
  await expect(page.locator('#field-body_1')).toHaveValue('Keep **message queues** fast.');
  await expect(page.locator('#field-benefits_health')).toHaveValue('Medical insurance\nDental insurance');
  await ready(page, on);

  // Fixed, it publishes.
  await page.locator('#field-pay_max').fill('180000');
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page).toHaveURL(/\/admin\/jobs\?saved=\d+$/);
  await expect(page.locator('.admin-notice')).toContainText('saved');
  const row = page.locator('.admin-row', { hasText: title });
  await expect(row.locator('.posting-status')).toHaveText('Published');

  // The public list and the detail page show it.
  await page.goto('/jobs?q=queue+engineer');
  await ready(page, on);
  const card = page.locator('.job-card', { hasText: title });
  await expect(card).toHaveCount(1);
  await expect(card).toContainText('$150,000 - $180,000 a year');
  await card.getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.locator('main')).toContainText('message queues');

  // Signed out, the admin pages are closed.
  await page.goto('/admin/jobs');
  await ready(page, on);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/admin\/sign-in\?signed_out=1$/);
  await expect(page.locator('.signed-out-notice')).toBeVisible();
  await page.goto('/admin/jobs/new');
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=/);
  expect(errors).toEqual([]);
});

test('publishing a California posting without pay is blocked; it saves as a draft', async ({ page }, testInfo) => {
  const on = jsOn(testInfo);
  const title = `Rangeless Engineer ${on ? 'JS' : 'HTML'} ${testInfo.repeatEachIndex + 1}`;
  await signIn(page, on);
  await page.goto('/admin/jobs/new');
  await ready(page, on);
  await fillPosting(page, title, '', '');
  if (on) {
    // The findings follow the form as it is filled in.
    await page.locator('#field-pay_max').blur();
    await expect(page.locator('.transparency-block')).toContainText('California requires a pay range');
  }
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('[data-field="pay_transparency"]')).toContainText('Publishing is blocked');
  await expect(page.locator('.transparency-block')).toContainText('California requires a pay range');
  await expect(page.locator('#field-title')).toHaveValue(title);

  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page).toHaveURL(/\/admin\/jobs\?saved=\d+$/);
  const row = page.locator('.admin-row', { hasText: title });
  await expect(row.locator('.posting-status')).toHaveText('Draft');
  // Publishing from the list is refused the same way.
  await row.getByRole('button', { name: 'Publish' }).click();
  await expect(page).toHaveURL(/\/admin\/jobs\?blocked=\d+$/);
  await expect(page.locator('.admin-notice')).toContainText('pay-transparency check failed');
});
