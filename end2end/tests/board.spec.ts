import { test, expect, Page } from '@playwright/test';

// Every test runs twice: in the "javascript-on" project (hydrated islands; the listing updates in place) and in
// the "javascript-off" project (plain server-rendered HTML and GET forms).

const BRIEF_TITLE =
  'Backend Software Engineer Graduate (TikTok Eng - Backend Online Infra Team) - 2025 Start (BS/MS)';

const jsOn = (testInfo: { project: { name: string } }) => testInfo.project.name === 'javascript-on';

/** Fails the test on any console error or page error (hydration mismatches show up there). */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** With JavaScript on, waits until the app has hydrated. */
async function ready(page: Page, on: boolean) {
  if (on) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

test('the list shows open postings as cards with their pay', async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await ready(page, jsOn(testInfo));
  await expect(page).toHaveTitle('Open jobs · Jobboard');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('open jobs');
  const cards = page.locator('.job-card');
  expect(await cards.count()).toBeGreaterThanOrEqual(20);
  const brief = cards.filter({ hasText: BRIEF_TITLE });
  await expect(brief).toHaveCount(1);
  await expect(brief).toContainText('$116,000 - $177,000 a year');
  await expect(brief).toContainText('San Jose, CA · Remote');
  // On a wide screen the filter bar sits beside the results, not above them.
  const filters = await page.locator('#job-filters').boundingBox();
  const results = await page.locator('#job-results').boundingBox();
  expect(filters && results && results.x >= filters.x + filters.width).toBe(true);
  expect(errors).toEqual([]);
});

test('filtering by location narrows the list and keeps the filter in the URL', async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await page.goto('/jobs');
  await ready(page, jsOn(testInfo));
  // A marker that survives only an in-place update: with JavaScript on, filtering must not reload the page.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1)).catch(() => undefined);

  await page.getByLabel('Location').selectOption('fremont-ca');
  await page.getByRole('button', { name: 'Show jobs' }).click();

  await expect(page).toHaveURL(/[?&]location=fremont-ca/);
  const cards = page.locator('.job-card');
  await expect(cards.filter({ hasText: 'Atlas Graduate Program: Software Engineer (2025)' })).toHaveCount(1);
  await expect(cards.filter({ hasText: BRIEF_TITLE })).toHaveCount(0);
  for (const text of await cards.allInnerTexts()) expect(text).toContain('Fremont, CA');
  await expect(page.getByLabel('Location')).toHaveValue('fremont-ca');
  if (jsOn(testInfo)) {
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  }
  expect(errors).toEqual([]);
});

test('a minimum pay filter leaves out lower and unpaid postings', async ({ page }, testInfo) => {
  await page.goto('/jobs');
  await ready(page, jsOn(testInfo));
  await page.getByLabel('Minimum pay (a year, USD)').fill('170000');
  await page.getByRole('button', { name: 'Show jobs' }).click();
  await expect(page).toHaveURL(/min_pay=170000/);
  await expect(page.getByText('Jobs that do not post pay are not shown')).toBeVisible();
  const cards = page.locator('.job-card');
  await expect(cards.filter({ hasText: 'Pay not posted' })).toHaveCount(0);
  await expect(cards.filter({ hasText: BRIEF_TITLE })).toHaveCount(1);
});

test("the brief's posting shows its sections, pay and benefits", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await page.goto('/jobs?location=san-jose-ca');
  await ready(page, jsOn(testInfo));
  await page.getByRole('link', { name: new RegExp(BRIEF_TITLE.replace(/[()]/g, '\\$&')) }).click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText(BRIEF_TITLE);
  await expect(page).toHaveTitle(`${BRIEF_TITLE} at TikTok · Jobboard`);
  const salary = page.locator('.salary-panel');
  await expect(salary).toContainText('Base salary range for San Jose, CA');
  await expect(salary.locator('.salary-range')).toHaveText('$116,000 - $177,000 a year');

  const benefits = page.locator('.benefits-panel');
  for (const [kind, days] of [
    ['Paid holidays', '10 days a year'],
    ['Paid sick days', '10 days a year'],
    ['Paid Personal Time', '17 days a year'],
  ]) {
    await expect(benefits.locator('.benefit', { hasText: kind })).toContainText(days);
  }
  // Every benefit of the brief, in its group.
  for (const [group, kinds] of [
    ['Health', ['Medical insurance', 'Dental insurance', 'Vision insurance']],
    ['Money', ['401(k) savings plan with company match', 'Discretionary bonuses/incentives', 'Restricted stock units']],
    ['Leave', ['Paid parental leave', 'Short-term disability coverage', 'Long-term disability coverage']],
    ['Insurance', ['Life insurance']],
    ['Wellbeing', ['Wellbeing benefits']],
  ] as [string, string[]][]) {
    const box = benefits.locator('.benefit-group', { has: page.getByRole('heading', { name: group, exact: true }) });
    for (const kind of kinds) await expect(box.locator('.benefit', { hasText: kind })).toHaveCount(1);
  }
  await expect(benefits.locator('.benefit')).toHaveCount(14);
  for (const kind of ['Medical insurance', 'Life insurance']) {
    await expect(benefits).toContainText(kind);
  }
  await expect(page.getByRole('heading', { name: 'Minimum Qualifications' })).toBeVisible();
  await expect(page.locator('.job-section', { hasText: 'Responsibilities' }).locator('li')).toHaveCount(9);
  await expect(page.locator('.legal-notice')).toContainText('Los Angeles County Fair Chance Ordinance');
  await expect(page.locator('.application-limit')).toContainText('at most two positions');
  await expect(page.locator('.apply-button')).toHaveAttribute('href', 'https://careers.tiktok.com/');
  expect(errors).toEqual([]);
});

test('an unknown posting is a 404 page', async ({ page }) => {
  const response = await page.goto('/jobs/987654321-no-such-job');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Browse open jobs' }).click();
  await expect(page.locator('.job-card').first()).toBeVisible();
});

test('the list is usable at phone width', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto('/jobs');
  await ready(page, jsOn(testInfo));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.locator('.job-card').first()).toBeVisible();
});

test('filters combine, the URL can be shared, and pages go forward and back', async ({ page, context }, testInfo) => {
  const cards = page.locator('.job-card');
  await page.goto('/jobs');
  await ready(page, jsOn(testInfo));
  await page.getByLabel('Keywords').fill('engineer');
  await page.locator('input[name="remote"][value="remote"]').check();
  await page.getByRole('button', { name: 'Show jobs' }).click();
  await expect(page).toHaveURL(/q=engineer/);
  await expect(page).toHaveURL(/remote=remote/);
  // With JavaScript the URL changes first and the results follow: wait until every card is a remote one.
  await expect
    .poll(async () => {
      const texts = await cards.allInnerTexts();
      return texts.length > 0 && texts.every((text) => text.includes('Remote'));
    })
    .toBe(true);
  await expect(page.getByLabel('Keywords')).toHaveValue('engineer');
  const heading = await page.getByRole('heading', { level: 1 }).innerText();
  const firstTitles = await page.locator('.job-card h2').allInnerTexts();

  // The same URL in a new page gives the same results.
  const shared = await context.newPage();
  await shared.goto(page.url());
  await expect(shared.getByRole('heading', { level: 1 })).toHaveText(heading);
  await expect(shared.locator('.job-card h2')).toHaveText(firstTitles);
  await shared.close();

  // Page forward and back through the list.
  await page.goto('/jobs');
  await ready(page, jsOn(testInfo));
  const pageOne = await page.locator('.job-card h2').allInnerTexts();
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(page.getByRole('link', { name: 'First page' })).toBeVisible();
  await expect.poll(async () => (await page.locator('.job-card h2').allInnerTexts())[0]).not.toBe(pageOne[0]);
  await page.goBack();
  await expect(page).not.toHaveURL(/after=/);
  await expect(page.locator('.job-card h2')).toHaveText(pageOne);
});

test('the count follows the filters: a region, then a minimum pay', async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  const heading = page.getByRole('heading', { level: 1 });
  const count = async () => Number((await heading.innerText()).replace(/[^0-9]/g, ''));
  await page.goto('/jobs');
  await ready(page, jsOn(testInfo));
  const everything = await count();
  expect(everything).toBeGreaterThan(100);

  // The region's option says how many jobs it has; choosing it gives exactly that many.
  const option = await page.locator('#filter-region option[value="CA"]').innerText();
  const inRegion = Number(option.replace(/.*\((\d+)\)$/, '$1'));
  expect(inRegion).toBeGreaterThan(0);
  expect(inRegion).toBeLessThan(everything);
  await page.getByLabel('State or region').selectOption('CA');
  await page.getByRole('button', { name: 'Show jobs' }).click();
  await expect(page).toHaveURL(/region=CA/);
  await expect.poll(count).toBe(inRegion);
  for (const text of await page.locator('.job-card').allInnerTexts()) expect(text).toMatch(/, CA/);

  await page.getByLabel('Minimum pay (a year, USD)').fill('150000');
  await page.getByRole('button', { name: 'Show jobs' }).click();
  await expect(page).toHaveURL(/min_pay=150000/);
  await expect.poll(count).toBeLessThan(inRegion);
  await expect(page.getByLabel('State or region')).toHaveValue('CA');
  await expect(page.locator('.job-card').filter({ hasText: 'Pay not posted' })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('with JavaScript a filter applies as soon as it changes, and the other counts follow', async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  const on = jsOn(testInfo);
  const heading = page.getByRole('heading', { level: 1 });
  const count = async () => Number((await heading.innerText()).replace(/[^0-9]/g, ''));
  await page.goto('/jobs');
  await ready(page, on);
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1)).catch(() => undefined);
  const everything = await count();

  const locationCounts = async () => {
    const counts = new Map<string, number>();
    for (const label of (await page.locator('#filter-location option').allInnerTexts()).slice(1)) {
      counts.set(label.replace(/ \(\d+\)$/, ''), Number(label.replace(/.*\((\d+)\)$/, '$1')));
    }
    return counts;
  };
  const everywhere = await locationCounts();
  const option = await page.locator('#filter-region option[value="CA"]').innerText();
  const inRegion = Number(option.replace(/.*\((\d+)\)$/, '$1'));
  await page.getByLabel('State or region').selectOption('CA');
  // Without JavaScript the form is sent with its button; with it, the change alone is enough.
  if (!on) await page.getByRole('button', { name: 'Show jobs' }).click();
  await expect(page).toHaveURL(/[?&]region=CA(&|$)/);
  await expect.poll(count).toBe(inRegion);
  expect(inRegion).toBeLessThan(everything);

  // The location choices now count within the region: Californian places keep their counts, and places
  // elsewhere count only the region's postings that also list them.
  const inCalifornia = await locationCounts();
  expect(inCalifornia.get('San Jose, CA')).toBe(everywhere.get('San Jose, CA'));
  const elsewhere = [...inCalifornia.keys()].filter((place) => !place.endsWith(', CA'));
  expect(elsewhere.length).toBeGreaterThan(0);
  for (const place of inCalifornia.keys()) expect(inCalifornia.get(place)).toBeLessThanOrEqual(everywhere.get(place) ?? 0);
  expect(elsewhere.every((place) => (inCalifornia.get(place) ?? 0) < (everywhere.get(place) ?? 0))).toBe(true);
  // The work-mode counts add up to at most the region's total.
  const modeCounts = await page.locator('[data-count-for^="remote="]').allInnerTexts();
  expect(modeCounts).toHaveLength(3);
  for (const text of modeCounts) expect(Number(text.replace(/[^0-9]/g, ''))).toBeLessThanOrEqual(inRegion);

  if (on) {
    await expect(page.locator('#job-search-status')).toHaveText(await heading.innerText());
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    // Back returns to every job, with the filter bar showing no region again.
    await page.goBack();
    await expect(page).not.toHaveURL(/region=/);
    await expect.poll(count).toBe(everything);
    await expect(page.getByLabel('State or region')).toHaveValue('');
  }
  expect(errors).toEqual([]);
});
