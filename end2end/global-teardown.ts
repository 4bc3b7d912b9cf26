import * as fs from 'node:fs';

/** Removes the run's temporary database directory, made in playwright.config.ts, when the run ends. */
export default async function globalTeardown(): Promise<void> {
  const dataDir = process.env.E2E_DATA_DIR;
  if (dataDir) {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
