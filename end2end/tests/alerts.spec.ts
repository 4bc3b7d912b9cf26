import { test, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { adminPage, fillPosting, linkPath, mailWith, mailsTo } from './support';

// Alerts, with JavaScript on and off: save a search as an alert, confirm it by the e-mailed link, add a
// matching posting as the admin, run the sweep (`jobboard alerts send`), see the digest arrive at the
// real SMTP server (aiosmtpd, started by the config), and follow its unsubscribe link.

const root = path.resolve(__dirname, '../..');
const serverBinary = process.env.E2E_SERVER_BIN ?? path.join(root, 'target/debug/jobboard');

const jsOn = (testInfo: { project: { name: string } }) => testInfo.project.name === 'javascript-on';

async function ready(page: Page, on: boolean) {
  if (on) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

test('a saved search is confirmed, sends a digest of a new posting and unsubscribes', async ({ page, browser }, testInfo) => {
  const on = jsOn(testInfo);
  const word = `quokkaline${on ? 'js' : 'html'}${testInfo.repeatEachIndex}${Date.now() % 100000}`;
  const email = `alerts-${word}@mail.example`;

  // The search: no posting matches yet. With JavaScript the live search loads it in place, and the
  // alert form under the results follows.
  await page.goto('/jobs');
  await ready(page, on);
  await page.locator('#filter-q').fill(word);
  await page.locator('#filter-q').press('Enter');
  await expect(page.locator('#results-heading')).toHaveText('No open jobs match');
  await expect(page.locator('.save-search input[name="query"]')).toHaveValue(`q=${word}`);
  await expect(page.locator('link[rel="alternate"][type="application/atom+xml"]')).toHaveCount(1);
  await page.locator('#save-search-email').fill(email);
  await page.locator('#save-search-frequency').selectOption('immediate');
  await page.getByRole('button', { name: 'Create alert' }).click();
  await expect(page).toHaveURL(/\/alerts\/done\?what=confirm-sent$/);
  await expect(page.locator('.alert-outcome')).toContainText('we e-mailed you a link');

  // The confirmation e-mail, through the SMTP server; its link's page has the button.
  const confirmation = await mailWith(email, 'Confirm your job alert');
  expect(confirmation.data).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  await page.goto(linkPath(confirmation.text, '/alerts/confirm?token='));
  await page.getByRole('button', { name: 'Confirm the alert' }).click();
  await expect(page).toHaveURL(/\/alerts\/done\?what=confirmed$/);

  // The admin publishes a posting that matches.
  const title = `Platform Engineer ${word}`;
  const admin = await adminPage(browser, on);
  await admin.goto('/admin/jobs/new');
  await ready(admin, on);
  await fillPosting(admin, title, '140000', '180000');
  await admin.getByRole('button', { name: 'Publish' }).click();
  await expect(admin).toHaveURL(/\/admin\/jobs\?saved=\d+/);
  await admin.context().close();

  // The sweep, as an operator's timer runs it: one digest, through the SMTP server.
  const sweep = () =>
    execFileSync(serverBinary, ['alerts', 'send'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: process.env.E2E_DATABASE_URL_IN_USE,
        PUBLIC_URL: process.env.E2E_BASE_URL,
        JOBBOARD_SMTP_URL: process.env.E2E_SMTP_URL,
        RUST_LOG: 'warn',
      },
    }).toString();
  expect(sweep()).toMatch(/alerts: [1-9]\d* digests/);
  const digest = await mailWith(email, '1 new job');
  expect(digest.text).toContain(`${title} at TikTok`);
  expect(digest.text).toContain('$140,000 - $180,000 a year');
  expect(sweep()).toContain('sent 0 e-mails');
  expect(mailsTo(email).filter((mail) => mail.data.includes('Subject: 1 new job'))).toHaveLength(1);

  // The digest's link opens the posting; its unsubscribe link's button stops the alert.
  await page.goto(linkPath(digest.text, '/jobs/'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await page.goto(linkPath(digest.text, '/alerts/unsubscribe?token='));
  await ready(page, on);
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await expect(page).toHaveURL(/\/alerts\/done\?what=unsubscribed$/);
  await expect(page.locator('.alert-outcome')).toContainText('you will not get these e-mails');
});
