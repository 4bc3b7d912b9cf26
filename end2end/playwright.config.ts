import { defineConfig } from '@playwright/test';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';

// The end-to-end suite starts the built server itself, on its own port and a fresh temporary database,
// and drives Debian's chromium (Playwright's own browser download is not reachable here).
const port = Number(process.env.E2E_PORT ?? 3917);
const baseURL = `http://127.0.0.1:${port}`;
const root = path.resolve(__dirname, '..');
// The config is evaluated by the runner and again by each worker: the first evaluation makes the database's
// directory and hands it on through the environment, and global-teardown.ts removes it when the run ends.
if (!process.env.E2E_DATA_DIR) {
  process.env.E2E_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'jobboard-e2e-'));
}
const dataDir = process.env.E2E_DATA_DIR;
const serverBinary = process.env.E2E_SERVER_BIN ?? path.join(root, 'target/debug/jobboard');
// SQLite in the temporary folder unless E2E_DATABASE_URL names another (an empty PostgreSQL database:
// the test command runs the board and admin specs on one too). The server seeds an empty SQLite database
// itself; a PostgreSQL one is seeded first with the same data.
const databaseURL = process.env.E2E_DATABASE_URL ?? `sqlite://${path.join(dataDir, 'e2e.db')}`;
const seedFirst = databaseURL.startsWith('postgres') ? `${serverBinary} seed --generate 300 && ` : '';
// A real SMTP server (aiosmtpd, from .ci/.venv) on loopback receives the board's mail: each message is a
// JSON file in this folder, read by tests/alerts.spec.ts.
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 3925);
const mailDir = path.join(dataDir, 'mail');
const python = process.env.JOBBOARD_TEST_PYTHON ?? path.join(root, '.ci/.venv/bin/python3');
process.env.E2E_MAIL_DIR = mailDir;
process.env.E2E_DATABASE_URL_IN_USE = databaseURL;
process.env.E2E_SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;
process.env.E2E_BASE_URL = baseURL;
// Shared with tests/admin.spec.ts through the environment.
const adminEmail = 'e2e-admin@jobs.example';
const adminPassword = 'tangerine lantern voyage 4821';
process.env.E2E_ADMIN_EMAIL = adminEmail;
process.env.E2E_ADMIN_PASSWORD = adminPassword;

const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  globalTeardown: './global-teardown.ts',
  use: { baseURL, trace: 'off', launchOptions },
  projects: [
    { name: 'javascript-on', use: { javaScriptEnabled: true } },
    // The HTML checker reads what the server sends, the same for both projects: it runs once.
    { name: 'javascript-off', use: { javaScriptEnabled: false }, testIgnore: /markup\.spec\.ts/ },
  ],
  webServer: [
    {
      command: `${python} .ci/smtp_sink.py ${mailDir} ${smtpPort}`,
      cwd: root,
      port: smtpPort,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // An admin account for the admin tests, then the site.
      command: `${seedFirst}${serverBinary} admin create --email ${adminEmail} && ${serverBinary} serve --demo-postings 300`,
      cwd: root,
      url: `${baseURL}/readyz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        DATABASE_URL: databaseURL,
        LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
        LEPTOS_SITE_ROOT: path.join(root, 'target/site'),
        RUST_LOG: 'warn',
        JOBBOARD_ADMIN_PASSWORD: adminPassword,
        // Every test comes from one address: the per-address limits are raised (their own tests are in Rust).
        JOBBOARD_LISTING_MISSES_PER_MINUTE: '100000',
        JOBBOARD_ALERTS_PER_ADDRESS_PER_HOUR: '10000',
        JOBBOARD_ALERTS_PER_EMAIL_PER_DAY: '10000',
        JOBBOARD_ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR: '10000',
        JOBBOARD_ACCOUNT_MAILS_PER_EMAIL_PER_DAY: '10000',
        JOBBOARD_CANDIDATE_WRITES_PER_MINUTE: '10000',
        JOBBOARD_TOKEN_FORMS_PER_MINUTE: '10000',
        JOBBOARD_SIGN_INS_PER_ADDRESS_PER_MINUTE: '10000',
        // Mail goes to the SMTP server above; the alert sweep is run by tests/alerts.spec.ts itself.
        JOBBOARD_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        JOBBOARD_ALERT_SWEEP_SECONDS: '0',
        PUBLIC_URL: baseURL,
      },
    },
  ],
});
