import { test, expect } from '@playwright/test';

// A phone (390 x 844): the count, the filters in use and the first result come first; the filter form
// waits behind "Filters". Runs with JavaScript on and off (both projects).

test.use({ viewport: { width: 390, height: 844 } });

const jsOn = (testInfo: { project: { name: string } }) => testInfo.project.name === 'javascript-on';

test('on a phone the first result is on the first screen and the filters open from a toggle', async ({ page }, testInfo) => {
  await page.goto('/jobs?region=CA&min_pay=120000');
  if (jsOn(testInfo)) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');

  const viewport = page.viewportSize();
  expect(viewport?.height).toBe(844);
  const card = await page.locator('.job-card').first().boundingBox();
  expect(card, 'a first result').not.toBeNull();
  expect(card!.y, 'the first result starts on the first screen').toBeGreaterThan(0);
  expect(card!.y + card!.height, 'the whole first result is on the first screen').toBeLessThanOrEqual(844);
  await expect(page.getByRole('heading', { level: 1 })).toBeInViewport();

  // The filters in use, as removable chips; the form itself is folded away.
  const chips = page.locator('.active-filters .filter-chip');
  await expect(chips).toHaveText(['Remove filter: Region: CA ×', 'Remove filter: Pay from $120,000 ×']);
  await expect(page.locator('#filter-form')).toBeHidden();
  const toggle = page.locator('.filters-toggle');
  await expect(toggle).toContainText('Filters (2 active)');
  await toggle.click();
  await expect(page.locator('#filter-form')).toBeVisible();
  await expect(page.locator('#filter-min-pay')).toHaveValue('120000');
  await toggle.click();
  await expect(page.locator('#filter-form')).toBeHidden();

  // Removing a chip removes that filter alone.
  await page.getByRole('link', { name: 'Remove filter: Region: CA' }).click();
  await expect(page).toHaveURL(/\/jobs\?min_pay=120000$/);
  await expect(chips).toHaveText(['Remove filter: Pay from $120,000 ×']);
  await expect(toggle).toContainText('Filters (1 active)');
  const first = await page.locator('.job-card').first().boundingBox();
  expect(first!.y + first!.height).toBeLessThanOrEqual(844);
});

test('on a wide screen the filters stay open beside the results, with no toggle', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/jobs?region=CA');
  await expect(page.locator('#filter-form')).toBeVisible();
  await expect(page.locator('.filters-toggle')).toBeHidden();
  const filters = await page.locator('#job-filters').boundingBox();
  const results = await page.locator('#job-results').boundingBox();
  expect(filters!.x + filters!.width).toBeLessThanOrEqual(results!.x);
});
