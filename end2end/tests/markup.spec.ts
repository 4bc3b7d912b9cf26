import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { adminPage } from './support';

// The Nu HTML Checker (`vnu`, from the vnu-jar npm package, run with the machine's Java) over one page of
// each kind as the server sends it. It runs in the javascript-on project only (playwright.config.ts): the
// HTML a server sends does not depend on the browser. No error is allowed: the README's "Valid HTML"
// says how the Leptos markers that used to be "bogus comments" are written now.

const VNU_JAR = path.resolve(__dirname, '../../node_modules/vnu-jar/build/dist/vnu.jar');

interface VnuMessage {
  type: string;
  subType?: string;
  message: string;
  url: string;
  lastLine?: number;
  extract?: string;
}

test('every kind of page passes the Nu HTML Checker with no error', async ({ browser, request }) => {
  const found = await (await request.get('/api/v1/jobs?q=backend+graduate+tiktok')).json();
  const briefId = found.jobs[0].id;
  const pages: Record<string, string> = {
    home: '/',
    listing: '/jobs?region=CA&min_pay=120000',
    posting: `/jobs/${briefId}`,
    career: '/careers/backend-software-engineering',
    company: '/companies/tiktok',
    'sign-in': '/account/sign-in',
    'sign-up': '/account/sign-up',
    'admin-sign-in': '/admin/sign-in',
    'not-found': '/jobs/999999999',
  };
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'jobboard-vnu-'));
  const files: string[] = [];
  for (const [name, address] of Object.entries(pages)) {
    const answer = await request.get(address);
    expect([200, 404], `${address}: ${answer.status()}`).toContain(answer.status());
    const file = path.join(folder, `${name}.html`);
    fs.writeFileSync(file, await answer.text());
    files.push(file);
  }
  // The admin's posting form, with its lazy island.
  const admin = await adminPage(browser, true);
  const editor = await admin.request.get('/admin/jobs/new');
  expect(editor.status()).toBe(200);
  const editorFile = path.join(folder, 'admin-posting-form.html');
  fs.writeFileSync(editorFile, await editor.text());
  files.push(editorFile);
  await admin.context().close();

  const run = spawnSync('java', ['-jar', VNU_JAR, '--errors-only', '--format', 'json', ...files], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(run.error, 'java runs').toBeUndefined();
  // vnu writes its JSON report to stderr.
  const report = JSON.parse(run.stderr || '{"messages":[]}') as { messages: VnuMessage[] };
  const errors = report.messages
    .filter((m) => m.type === 'error' || m.subType === 'fatal')
    .map((m) => `${path.basename(m.url)}:${m.lastLine}: ${m.message} [${m.extract ?? ''}]`);
  expect(errors, errors.join('\n')).toEqual([]);
  expect(run.status, 'vnu exits 0 when nothing is wrong').toBe(0);
  expect(files.length).toBe(10);
  fs.rmSync(folder, { recursive: true, force: true });
});
