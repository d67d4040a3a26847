import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { note } from './support/note';

/**
 * A plain `npm start` on a fresh data folder (embedded database, demo data seeded on first start),
 * then /dashboard in headless Chromium as the demo agency admin and the demo analyst: the demo
 * world, the county map and the Download CSV buttons. Screenshots in test-artifacts/.
 */
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available)
  note(`dashboard-first-start.e2e: SKIPPED, ${CHROMIUM} is missing (npm run e2e:setup).`);
const describeIfChromium = available ? describe : describe.skip;
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');

jest.setTimeout(1_200_000);

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  ms = 840_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe().catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('npm start exited')) throw error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describeIfChromium('dashboard after a plain npm start', () => {
  let hub: ChildProcess;
  let dataDir: string;
  let profile: string;
  let browser: BrowserContext;
  let base: string;
  let tokens: Record<string, string>;
  let output = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hub-first-start-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // As from a fresh shell: none of jest's variables (TS_JEST would make the hub read .ts files).
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
    };
    hub = spawn('npm', ['start'], { cwd: join(__dirname, '..'), env, detached: true });
    hub.stdout?.on('data', (chunk) => (output += String(chunk)));
    hub.stderr?.on('data', (chunk) => (output += String(chunk)));
    let exited = false;
    hub.on('exit', () => (exited = true));
    const tokenFile = join(dataDir, 'demo-tokens.json');
    await waitFor(async () => {
      // A hub that stopped (a failed build, a bad configuration) will not write them: say why.
      if (exited) throw new Error(`npm start exited:\n${output.slice(-2000)}`);
      return existsSync(tokenFile) ? true : undefined;
    }, 'the demo tokens');
    await waitFor(async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), 'the hub');
    tokens = (JSON.parse(readFileSync(tokenFile, 'utf8')) as { tokens: Record<string, string> })
      .tokens;
    profile = mkdtempSync(join(tmpdir(), 'hub-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 1000 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
  }, 1_200_000);

  afterAll(async () => {
    await browser?.close();
    if (hub?.pid) {
      try {
        // npm and the node it started: the group this test created.
        process.kill(-hub.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    for (const dir of [profile, dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const view = async (role: string, file: string) => {
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    const external: string[] = [];
    page.on('request', (r) => {
      if (
        !r.url().startsWith(base) &&
        !r.url().startsWith('blob:') &&
        !r.url().startsWith('data:')
      ) {
        external.push(r.url());
      }
    });
    await page.goto(`${base}/dashboard`);
    await page.fill('#token', tokens[role]);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('body[data-loaded="true"]');
    await page.waitForSelector('#panel-map svg.map path');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, file), fullPage: true });
    note(`dashboard-first-start.e2e: screenshot written to ${join(ARTIFACTS, file)}`);
    return { page, external };
  };

  it('shows the demo world, the county map with names and rates, and Download CSV (agency admin)', async () => {
    const { page, external } = await view('AGENCY_ADMIN', 'dashboard-first-start.png');
    expect(Number(await page.locator('[data-tile="overdue"] .value').innerText())).toBeGreaterThan(
      0,
    );
    expect(await page.locator('#panel-status .caption').innerText()).toMatch(/\d+ cases/);
    // North Carolina's 100 counties, the three demo counties coloured by their rate.
    expect(await page.locator('#panel-map svg.map path').count()).toBe(100);
    for (const fips of ['37021', '37087', '37115']) {
      expect(
        await page.locator(`#panel-map path[data-county="${fips}"]`).getAttribute('fill'),
      ).toMatch(/^#/);
    }
    const mapText = await page.locator('#panel-map .body').innerText();
    expect(mapText).toContain('Buncombe County');
    expect(mapText).toContain('Madison County');
    expect(mapText).not.toContain('37021');
    expect(await page.locator('button.csv').count()).toBeGreaterThanOrEqual(3);
    const download = page.waitForEvent('download');
    await page.locator('#panel-map button.csv').click();
    expect((await download).suggestedFilename()).toBe('overdoses-by-county.csv');
    expect(external).toEqual([]);
    await page.close();
  });

  it('shows an analyst the shared numbers of the jurisdiction (screenshot)', async () => {
    const { page } = await view('ANALYST', 'dashboard-first-start-analyst.png');
    expect(await page.locator('#panel-map .caption').innerText()).toContain('Shared numbers');
    expect(await page.locator('#panel-map svg.map path[fill]').count()).toBeGreaterThanOrEqual(1);
    await page.close();
  });
});
