import { expect, Browser, Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

// What several specs do alike: signing an admin in, filling the posting form, and reading the mail the
// real SMTP server (aiosmtpd, started by the config) received.

const MAIL_DIR = process.env.E2E_MAIL_DIR ?? '';

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

export interface Mail {
  to: string[];
  data: string;
  text: string;
}

/** The messages the SMTP server has received for `to`, oldest first. */
export function mailsTo(to: string): Mail[] {
  if (!fs.existsSync(MAIL_DIR)) return [];
  return fs
    .readdirSync(MAIL_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(fs.readFileSync(path.join(MAIL_DIR, name), 'utf8')) as Mail)
    .filter((mail) => mail.to.includes(to));
}

/** Waits for a message to `to` whose headers contain `subject`. */
export async function mailWith(to: string, subject: string): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(() => {
      found = mailsTo(to).find((mail) => mail.data.includes(`Subject: ${subject}`));
      return found !== undefined;
    }, { timeout: 15_000 })
    .toBe(true);
  return found!;
}

/** The path and query of the first link in `text` that contains `marker`. */
export function linkPath(text: string, marker: string): string {
  const match = text.match(new RegExp(`https?://[^/\\s]+(${marker.replace(/[?]/g, '\\?')}\\S+)`));
  expect(match, `a ${marker} link in: ${text}`).not.toBeNull();
  return match![1];
}
