import { test, expect, Page } from '@playwright/test';

// Run with JavaScript on and off (see playwright.config.ts projects).

const BRIEF_TITLE =
  'Backend Software Engineer Graduate (TikTok Eng - Backend Online Infra Team) - 2025 Start (BS/MS)';
const jsOn = (testInfo: { project: { name: string } }) => testInfo.project.name === 'javascript-on';

async function ready(page: Page, on: boolean) {
  if (on) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

async function openBrief(page: Page, on: boolean) {
  await page.goto('/jobs?location=san-jose-ca');
  await ready(page, on);
  await page.locator('.job-card', { hasText: BRIEF_TITLE }).getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(BRIEF_TITLE);
}

test("from the brief's posting to its career path and back, then to a similar job", async ({ page }, testInfo) => {
  await openBrief(page, jsOn(testInfo));
  await expect(page.locator('.market-comparison')).toContainText('Estimate: Backend Software Engineer, Graduate, San Jose, CA');
  await expect(page.locator('.more-from-company .job-card')).toHaveCount(4);

  await page.getByRole('link', { name: 'See where it leads and what each step pays' }).click();
  await expect(page).toHaveURL(/\/careers\/backend-software-engineering$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Backend software engineering career path');
  await expect(page.locator('.career-step')).toHaveCount(14);
  const graduate = page.locator('.career-step', { hasText: 'Backend Software Engineer, Graduate' });
  await expect(graduate.locator('.estimate')).toHaveText('Estimate $89k - $116k');
  await expect(graduate.locator('.observed')).toContainText('Open jobs $116k - $177k');

  await page.goBack();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(BRIEF_TITLE);

  const similar = page.locator('.similar-jobs .job-card').first();
  const title = (await similar.locator('h2').innerText()).trim();
  await similar.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.locator('.salary-panel')).toBeVisible();
});

test('asking for career alerts: a mistake is shown beside its field and nothing typed is lost', async ({ page }, testInfo) => {
  await page.goto('/careers/backend-software-engineering');
  await ready(page, jsOn(testInfo));
  await page.getByLabel('Senior Backend Software Engineer').check();
  await page.getByLabel('DevOps Engineer').check();
  await page.getByLabel('E-mail address').fill('ana@example');
  await page.getByRole('button', { name: 'Send me alerts' }).click();

  await expect(page.locator('#email-error')).toHaveText('Enter an e-mail address like name@example.com.');
  await expect(page.getByLabel('E-mail address')).toHaveValue('ana@example');
  await expect(page.getByLabel('Senior Backend Software Engineer')).toBeChecked();
  await expect(page.getByLabel('DevOps Engineer')).toBeChecked();

  await page.getByLabel('E-mail address').fill('ana@example.com');
  await page.getByLabel('How often').selectOption('weekly');
  await page.getByRole('button', { name: 'Send me alerts' }).click();
  // Not a confirmed account's address: the alerts start once the e-mailed link is followed.
  await expect(page.locator('.alert-confirmation')).toContainText('we e-mailed you a link');
});
