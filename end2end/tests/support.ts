import { expect, Browser, Page } from '@playwright/test';

// What several specs do alike: signing an admin in, and filling the posting form.

const ADMIN_EMAIL = process.env.E2E_ADMIN_EMAIL ?? '';
const ADMIN_PASSWORD = process.env.E2E_ADMIN_PASSWORD ?? '';

/** A signed-in admin's page, in a context of its own. */
export async function adminPage(browser: Browser, on: boolean): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: on });
  const page = await context.newPage();
  await page.goto('/admin/sign-in');
  await page.locator('#sign-in-email').fill(ADMIN_EMAIL);
  await page.locator('#sign-in-password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin\/jobs$/);
  return page;
}

/** Fills the posting form for San Jose, CA, with the given pay. */
export async function fillPosting(page: Page, title: string, min: string, max: string) {
  await page.locator('#field-title').fill(title);
  await page.locator('#field-company').selectOption('tiktok');
  await page.locator('#field-city_1').fill('San Jose');
  await page.locator('#field-region_1').fill('CA');
  await page.locator('#field-work_mode_1').selectOption('hybrid');
  await page.locator('#field-level').selectOption('entry');
  await page.locator('#field-pay_min').fill(min);
  await page.locator('#field-pay_max').fill(max);
  await page.locator('#field-benefits_health').fill('Medical insurance\nDental insurance');
  await page.locator('#field-heading_1').fill('What you will do');
  await page.locator('#field-body_1').fill('Keep **message queues** fast.');
  await page.locator('#field-apply').fill('https://careers.example.com/queues');
  const closes = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  await page.locator('#field-valid_through').fill(closes);
  await page.locator('#field-skills').fill('Rust, Kafka');
}
