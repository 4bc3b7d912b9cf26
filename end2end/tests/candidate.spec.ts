import { test, expect, Page } from '@playwright/test';
import { adminPage, linkPath, mailWith } from './support';

// A candidate, with JavaScript on and off: sign up from a posting, confirm the address by the e-mailed
// link (received by the real SMTP server), sign in, apply twice to the brief's company,
// see the third refused with the two it counts, withdraw one, apply again; the admin sees the
// applications in order and rejects one; the candidate sees the status.

const PASSWORD = 'saffron meadow tunnel 7302';

const jsOn = (testInfo: { project: { name: string } }) => testInfo.project.name === 'javascript-on';

async function ready(page: Page, on: boolean) {
  if (on) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

async function applyTo(page: Page, path: string) {
  await page.goto(`${path}/apply`);
  await page.locator('#field-cv_url').fill('https://cv.example/e2e');
  await page.getByRole('button', { name: 'Send the application' }).click();
  await expect(page).toHaveURL(/\/account\/applications\?applied=\d+/);
}

test('a candidate applies under the company limit and follows the applications', async ({ page, browser }, testInfo) => {
  const on = jsOn(testInfo);
  const email = `e2e-${testInfo.project.name}-${testInfo.repeatEachIndex}-${Date.now()}@mail.example`;

  // The company's open postings.
  await page.goto('/companies/tiktok');
  const paths = await page.locator('a[href^="/jobs/"]').evaluateAll((links) =>
    [...new Set(links.map((link) => (link as HTMLAnchorElement).pathname))],
  );
  // Those that take applications on the site (the other specs add TikTok postings that do not).
  const onSite: string[] = [];
  for (const path of paths) {
    await page.goto(path);
    if ((await page.locator('.apply-here').count()) > 0) onSite.push(path);
  }
  expect(onSite.length).toBeGreaterThanOrEqual(3);
  const ids = onSite.map((path) => path.match(/^\/jobs\/(\d+)/)![1]);
  const [first, second, third] = ids.map((id) => `/jobs/${id}`);

  // Signed out, "Apply here" leads to sign-in, then to sign-up, and back to the posting's form.
  await page.goto(onSite[0]);
  await ready(page, on);
  await expect(page.getByText('Sign in to apply')).toBeVisible();
  await page.getByRole('link', { name: 'Apply here' }).click();
  await expect(page).toHaveURL(/\/account\/sign-in\?next=/);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.locator('#field-name').fill('Eve Tester');
  await page.locator('#field-email').fill(email);
  await page.locator('#field-password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create the account' }).click();
  // Nobody is signed in until the address is proved; the page says the same for any address.
  await expect(page).toHaveURL(/\/account\/sign-in\?notice=check-mail&next=/);
  await expect(page.getByText('We sent an e-mail to that address')).toBeVisible();

  // The confirmation link, from the e-mail; then sign in, and back to the posting's form.
  const confirmation = await mailWith(email, 'Confirm your e-mail address');
  await page.goto(linkPath(confirmation.text, '/account/confirm?token='));
  await page.getByRole('button', { name: 'Confirm my address' }).click();
  await expect(page).toHaveURL(/\/account\/sign-in\?notice=confirmed&next=/);
  await page.locator('#field-email').fill(email);
  await page.locator('#field-password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${first}/apply$`));
  await page.goto('/account');
  await expect(page.locator('.address-confirmed')).toBeVisible();
  const admin = await adminPage(browser, on);

  // Two applications, the second with the warning that it is the last.
  await applyTo(page, first);
  await page.goto(`${second}/apply`);
  await expect(page.locator('.slot-summary')).toHaveText('1 of 2 applications to TikTok and affiliates used');
  await expect(page.locator('.last-slot-warning')).toBeVisible();
  await page.locator('#field-cv_url').fill('https://cv.example/e2e');
  await page.getByRole('button', { name: 'Send the application' }).click();
  await expect(page).toHaveURL(/\/account\/applications\?applied=\d+/);

  // The third is refused, naming the two it counts.
  await page.goto(`${third}/apply`);
  await expect(page.locator('.slot-summary')).toHaveText('2 of 2 applications to TikTok and affiliates used');
  await expect(page.locator('.slot-usage li')).toHaveCount(2);
  await expect(page.getByText(/You have used every application TikTok and affiliates allows/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Send the application' })).toHaveCount(0);

  // Withdraw the first; apply to the third.
  await page.goto('/account/applications');
  await expect(page.locator('.my-application')).toHaveCount(2);
  const firstRow = page.locator('.my-application', { has: page.locator(`a[href^="${first}-"]`) });
  await expect(firstRow.locator('.application-position')).toHaveText('1st');
  await firstRow.getByRole('button', { name: 'Withdraw' }).click();
  await expect(page).toHaveURL(/withdrawn=\d+/);
  await expect(firstRow.locator('.application-status')).toHaveText('Withdrawn');
  await applyTo(page, third);
  const thirdRow = page.locator('.my-application', { has: page.locator(`a[href^="${third}-"]`) });
  await expect(thirdRow.locator('.application-position')).toHaveText('3rd');

  // The admin sees the third posting's applications in order and rejects this one.
  await admin.goto(`/admin/jobs/${ids[2]}/applications`);
  const received = admin.locator('.received-application', { hasText: email });
  await expect(received.locator('.candidate-position')).toHaveText('3rd at TikTok');
  await received.getByRole('button', { name: 'Rejected' }).click();
  await expect(admin).toHaveURL(/changed=\d+/);
  await expect(admin.locator('.received-application', { hasText: email }).locator('.received-status')).toHaveText('Rejected');
  await admin.context().close();

  // The candidate sees it.
  await page.goto('/account/applications');
  await expect(thirdRow.locator('.application-status')).toHaveText('Rejected');
  await expect(thirdRow.getByRole('button', { name: 'Withdraw' })).toHaveCount(0);
});
