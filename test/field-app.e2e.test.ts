import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Role } from '../src/common/role';
import { signUserToken } from '../src/auth/tokens';
import { CaseStatus } from '../src/modules/case/case-codes';
import { Agency } from '../src/modules/agency/agency.entity';
import { User } from '../src/modules/agency/user.entity';
import { findDemoUsers, seedDemoData } from '../src/seed/demo-data';
import { setDemoPasswords, type DemoPassword } from '../src/seed/demo-passwords';
import { makeRoutedCase, unique, type RoutedCase } from './support/factories';
import { startTestHub, type TestHub } from './support/hub';
import { note } from './support/note';

/**
 * The field app end to end in headless Chromium on a 360-px phone: the demo outreach worker
 * signs in with the demo password, sees a due case, logs an attempt offline, comes back online
 * and the hub has it (audited); a conflicting change on the hub shows both versions and the
 * entry still goes through; Spanish; a responder's quick report from the phone's position.
 * axe-core checks every screen; screenshots go to test-artifacts/field-app-*.png.
 */
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  note(`field-app.e2e: SKIPPED, ${CHROMIUM} is missing. Run \`npm run e2e:setup\`.`);
}
const describeIfChromium = available ? describe : describe.skip;
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
/** Asheville, in Buncombe County, North Carolina (FIPS 37021). */
const ASHEVILLE = { latitude: 35.5951, longitude: -82.5515 };

jest.setTimeout(180_000);

describeIfChromium('field app in headless Chromium (360 px phone)', () => {
  let hub: TestHub;
  let base: string;
  let browser: BrowserContext;
  let profile: string;
  let page: Page;
  let worker: DemoPassword;
  let ems: DemoPassword;
  let routed: RoutedCase;
  const consoleErrors: string[] = [];
  const name = `Rosa${unique()}`;

  beforeAll(async () => {
    // The app is built as `npm run build` builds it (vite into dist/app), served by the hub.
    execFileSync('npm', ['run', '--silent', 'build:app'], {
      cwd: join(__dirname, '..'),
      stdio: 'pipe',
    });
    hub = await startTestHub();
    base = hub.url.replace(/\/graphql$/, '');
    const em = hub.em();
    let users = await findDemoUsers(em);
    if (users.length === 0) users = await seedDemoData(em);
    const passwords = await setDemoPasswords(hub.em(), users);
    worker = passwords.find((p) => p.role === Role.OUTREACH_WORKER)!;
    ems = passwords.find((p) => p.role === Role.EMS_PROVIDER)!;
    const workerUser = await hub.em().findOneOrFail(User, { id: worker.userId });
    const emsUser = await hub.em().findOneOrFail(User, { id: ems.userId });
    // A case assigned to the demo worker whose visit window opened 6 hours ago: due now.
    routed = await makeRoutedCase(hub, {
      outreach: await hub.em().findOneOrFail(Agency, { id: workerUser.agency.id }),
      reporter: await hub.em().findOneOrFail(Agency, { id: emsUser.agency.id }),
      county: '37021',
      agreement: false,
      status: CaseStatus.ASSIGNED,
      assignedWorker: workerUser,
      occurredAt: new Date(Date.now() - 30 * 3_600_000),
      person: { firstName: name, lastName: 'Demo', phone: '828-555-0147' },
    });
    await workerGql(
      `mutation ($id: ID!, $v: Int!) { updateContactPreferences(caseId: $id, version: $v,
         input: { doNotDiscloseToHousehold: true, safeContactTimes: "weekdays after 5pm" }) { version } }`,
      { id: routed.kase.id, v: routed.kase.version },
    );

    mkdirSync(ARTIFACTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'hub-field-app-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      // axe-core is injected as a script; the app's own CSP would (rightly) refuse it.
      bypassCSP: true,
      geolocation: ASHEVILLE,
      permissions: ['geolocation'],
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
    });
    page = await browser.newPage();
    page.setDefaultTimeout(45_000);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await hub?.stop();
  });

  async function workerGql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown>,
  ) {
    const token = await signUserToken(hub.config.auth, worker.userId);
    const answer = await hub.gql<T>(query, variables, token);
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
    return answer.data!;
  }

  /** No serious or critical axe-core violation on the screen as it is now. */
  async function axe(screen: string): Promise<void> {
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const violations = (await page.evaluate(`axe
      .run(document, { resultTypes: ['violations'] })
      .then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) })))`)) as unknown[];
    expect({ screen, violations }).toEqual({ screen, violations: [] });
  }

  const shot = (nameOf: string) =>
    page.screenshot({ path: join(ARTIFACTS, `field-app-${nameOf}.png`), fullPage: true });

  /**
   * The app's English phrases (dictionary values of 12 characters or more that Spanish says
   * otherwise): none may be left on a screen shown in Spanish. Short words are left out, as
   * they could be data (a resource's name). Required, not imported: app/ is browser code with
   * its own tsconfig (DOM types) that the hub's type-check must not follow; ts-jest compiles it.
   */
  const englishPhrases = (() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- browser code: see above
    const { DICTIONARIES } = require('../app/src/i18n') as {
      DICTIONARIES: Record<'en' | 'es', Record<string, string>>;
    };
    return Object.entries(DICTIONARIES.en)
      .filter(([, text]) => !text.includes('{') && text.length >= 12)
      .filter(([key, text]) => DICTIONARIES.es[key] !== text)
      .map(([, text]) => text);
  })();

  /** In Spanish: the page says so, no English phrase of the app is left, and axe passes. */
  async function checkSpanish(screen: string): Promise<void> {
    expect(await page.evaluate('document.documentElement.lang')).toBe('es');
    const text = await page.locator('body').innerText();
    expect({ screen, english: englishPhrases.filter((e) => text.includes(e)) }).toEqual({
      screen,
      english: [],
    });
    await axe(screen);
  }

  const caseOnHub = async () =>
    (
      await hub
        .em()
        .execute<Array<{ status: string; close_reason: string | null }>>(
          'select status, close_reason from overdose_case where id = ?',
          [routed.kase.id],
        )
    )[0];

  const attemptsOnHub = async () =>
    (
      await hub
        .em()
        .execute<Array<{ n: number }>>(
          'select count(*)::int as n from outreach_attempt where case_id = ?',
          [routed.kase.id],
        )
    )[0].n;

  async function signIn(email: string, password: string) {
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.click('#sign-in-form button[type=submit]');
  }

  it('the sign-in screen: a wrong password gets a clear message, and nothing else', async () => {
    await page.goto(`${base}/app/`);
    await page.waitForSelector('#sign-in-form');
    await axe('sign-in');
    await signIn(worker.email, 'not-the-password');
    expect(await page.locator('.msg.error').innerText()).toBe(
      'That email or password is not right.',
    );
    await shot('sign-in');
  });

  it('the demo outreach worker signs in and sees the due case', async () => {
    await signIn(worker.email, worker.password);
    const card = page.locator(`[data-group="due"] a[data-case-id="${routed.kase.id}"]`);
    // The demo world gives the worker more than one page of cases (and sealed names among them):
    // the new case sits on the last page, so this also checks that the app reads every page.
    await card.waitFor().catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${await page.locator('body').innerText()}`);
    });
    expect(await card.innerText()).toContain(`${name} Demo`);
    expect(await page.evaluate('localStorage.getItem("hub.fieldApp.lastActive") !== null')).toBe(
      true,
    );
    // The access token is kept in memory only; nothing readable about anyone in storage.
    expect(await page.evaluate('JSON.stringify(localStorage)')).not.toContain(name);
    await axe('my cases');
    await shot('cases');
  });

  it('the case shows name, phone, safe times, the household warning and the attempts', async () => {
    await page.click(`a[data-case-id="${routed.kase.id}"]`);
    await page.waitForSelector('#case-title');
    expect(await page.locator('#case-title').innerText()).toBe(`${name} Demo`);
    expect(await page.locator('.facts').innerText()).toContain('828-555-0147');
    expect(await page.locator('.facts').innerText()).toContain('weekdays after 5pm');
    expect(await page.locator('#household-warning').innerText()).toContain(
      'Do not talk about the overdose',
    );
    await axe('case');
    await shot('case');
  });

  it('offline: the attempt is kept on the phone (encrypted) and the form explains the guardrails', async () => {
    // The service worker controls the page by now, so the app itself also loads offline.
    await page.waitForFunction('navigator.serviceWorker.controller !== null');
    await browser.setOffline(true);
    await page.waitForFunction(
      `document.querySelector('#net-status').textContent.startsWith('Offline')`,
    );
    await page.click('#log-attempt');
    await page.waitForSelector('#attempt-form');
    expect(await page.locator('.guardrails').innerText()).toContain(
      'Leave only a plain contact card',
    );
    await page.selectOption('#attempt-method', 'VISIT');
    await page.selectOption('#attempt-outcome', 'NO_ANSWER');
    expect(await page.locator('#left-locked').isVisible()).toBe(true);
    expect(await page.locator('#left-naloxoneKitsForPerson').isDisabled()).toBe(true);
    await page.check('#left-peerSupportContactCard');
    await page.fill('#attempt-notes', 'Knocked twice, left a plain card');
    await axe('log attempt');
    await shot('attempt-form');
    await page.click('#save-attempt');
    await page.waitForSelector('text=Saved on this phone');
    expect(await page.locator('#pending-count').innerText()).toContain('1 waiting to send');
    expect(await attemptsOnHub()).toBe(0);
    // Stored encrypted: the IndexedDB values are ciphertext, the notes nowhere in clear.
    const stored = (await page.evaluate(`new Promise((resolve) => {
      const open = indexedDB.open('hub-field-app');
      open.onsuccess = () => {
        const all = open.result.transaction('kv').objectStore('kv').getAll();
        all.onsuccess = () => {
          open.result.close();
          resolve(all.result.map((v) => v && v.data
            ? new TextDecoder().decode(new Uint8Array(v.data)) : String(v)).join('|'));
        };
      };
    })`)) as string;
    expect(stored).not.toContain('Knocked twice');
    expect(stored).not.toContain(name);
    await page.reload();
    await page.waitForSelector('#case-title');
    expect(await page.locator('#case-title').innerText()).toBe(`${name} Demo`);
    await shot('offline');
  });

  it('back online, the attempt is sent: on the hub, audited, shown in the history', async () => {
    await browser.setOffline(false);
    await page.evaluate('window.dispatchEvent(new Event("online"))');
    await page.waitForFunction(`!document.querySelector('#pending-count')`);
    await page.waitForSelector('#attempt-list li');
    expect(await page.locator('#attempt-list').innerText()).toContain('No answer');
    expect(await attemptsOnHub()).toBe(1);
    const audit = await hub.em().execute<Array<{ n: number }>>(
      `select count(*)::int as n from audit_event where action = 'Mutation.logOutreachAttempt'
          and actor_user_id = ? and outcome = 'ALLOWED'`,
      [worker.userId],
    );
    expect(audit[0].n).toBe(1);
    const [row] = await hub
      .em()
      .execute<Array<{ peer_support_contact_card: boolean; naloxone_kits_for_person: number }>>(
        'select peer_support_contact_card, naloxone_kits_for_person from outreach_attempt where case_id = ?',
        [routed.kase.id],
      );
    expect(row).toEqual({ peer_support_contact_card: true, naloxone_kits_for_person: 0 });
  });

  it('someone else changed the case meanwhile: both versions are shown, nothing is lost', async () => {
    await browser.setOffline(true);
    await page.waitForFunction(
      `document.querySelector('#net-status').textContent.startsWith('Offline')`,
    );
    await page.click('#log-attempt');
    await page.selectOption('#attempt-method', 'PHONE');
    await page.selectOption('#attempt-outcome', 'CONTACT_SURVIVOR_ENGAGED');
    await page.fill('#attempt-notes', 'Talked by phone, wants a visit Friday');
    await page.click('#save-attempt');
    await page.waitForSelector('text=Saved on this phone');
    // Meanwhile, on the hub, a colleague records a contact preference: the version moves.
    const { case: current } = await workerGql<{ case: { version: number } }>(
      'query ($id: ID!) { case(id: $id) { version } }',
      { id: routed.kase.id },
    );
    await workerGql(
      `mutation ($id: ID!, $v: Int!) { updateContactPreferences(caseId: $id, version: $v,
         input: { doNotDiscloseToHousehold: true, preferredContactMethod: TEXT }) { version } }`,
      { id: routed.kase.id, v: current.version },
    );
    await browser.setOffline(false);
    await page.evaluate('window.dispatchEvent(new Event("online"))');
    const conflict = page.locator('.conflict');
    await conflict.waitFor();
    expect(await conflict.locator('h2').innerText()).toBe('Someone else changed this case');
    expect(await conflict.innerText()).toContain('Talked by phone, wants a visit Friday');
    expect(await conflict.innerText()).toContain('No answer');
    expect(await attemptsOnHub()).toBe(1);
    await axe('conflict');
    await shot('conflict');
    await conflict.locator('button.primary').click();
    await page.waitForFunction(`!document.querySelector('.conflict')`);
    await page.waitForFunction(`!document.querySelector('#pending-count')`);
    expect(await attemptsOnHub()).toBe(2);
  });

  it('Spanish: the toggle switches every word of every screen, and the page language', async () => {
    await page.click('#language-toggle');
    expect(await page.locator('#log-attempt').innerText()).toBe('Anotar un intento');
    await checkSpanish('caso');
    await page.click('#log-attempt');
    await page.waitForSelector('#attempt-form');
    await checkSpanish('anotar un intento');
    await page.click('#record-consent');
    await page.waitForSelector('#consent-form');
    await checkSpanish('consentimiento');
    await page.click('#hold-case');
    await page.waitForSelector('#hold-form');
    await checkSpanish('en pausa');
    await page.click('#close-case');
    await page.waitForSelector('#close-form');
    await checkSpanish('cerrar');
    await page.click('nav.tabs a[href="#/cases"]');
    await page.waitForSelector('#cases-title');
    expect(await page.locator('#cases-title').innerText()).toBe('Mis casos');
    await checkSpanish('mis casos');
    await shot('cases-es');
    await page.click('nav.tabs a[href="#/resources"]');
    await page.waitForSelector('#resource-list li');
    await checkSpanish('recursos');
    await page.click('nav.tabs a[href="#/settings"]');
    await page.waitForSelector('#remind-email');
    await checkSpanish('ajustes');
    await page.click('#language-toggle');
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
  });

  it('find help: filters, and a plain-language sheet in English or Spanish', async () => {
    await page.click('nav.tabs a[href="#/resources"]');
    await page.waitForSelector('#resource-list li');
    await axe('resources');
    await shot('resources');
    await page.locator('#resource-list li button').first().click();
    await page.waitForSelector('#sheet-title');
    expect(await page.locator('#sheet-title').innerText()).toBe('Help is close');
    await page.selectOption('#sheet-lang', 'es');
    expect(await page.locator('#sheet-title').innerText()).toBe('La ayuda está cerca');
    await axe('sheet');
    await shot('sheet-es');
  });

  it("the worker's day from the case screen: hold, resume, consent, engaged, refer onward, close", async () => {
    await page.click('nav.tabs a[href="#/cases"]');
    await page.click(`a[data-case-id="${routed.kase.id}"]`);
    await page.waitForSelector('#case-title');
    // Still being reached: no onward referral yet, and only the reasons the hub takes now.
    expect(await caseOnHub()).toEqual({ status: 'OUTREACH', close_reason: null });
    expect(await page.locator('#refer-onward').count()).toBe(0);
    await page.click('#close-case');
    expect(
      await page
        .locator('#close-reason option')
        .evaluateAll((o) => o.map((x) => x.getAttribute('value'))),
    ).toEqual(['UNABLE_TO_CONTACT', 'DECLINED_SERVICES', 'DECEASED']);

    await page.click('#hold-case');
    await page.selectOption('#hold-reason', 'ASKED_FOR_LATER_CONTACT');
    await axe('put on hold');
    await shot('hold');
    await page.click('#hold-form button[type=submit]');
    await page.waitForSelector('#resume-case');
    expect(await caseOnHub()).toEqual({ status: 'ON_HOLD', close_reason: null });
    await page.click('#resume-case');
    await page.waitForSelector('#hold-case');
    expect(await caseOnHub()).toEqual({ status: 'OUTREACH', close_reason: null });

    await page.click('#record-consent');
    await page.selectOption('#consent-scope', 'CONTACT_FOR_FOLLOW_UP');
    await page.fill('#consent-purpose', 'Follow-up visits and calls');
    await axe('consent');
    await page.click('#consent-form button[type=submit]');
    await page.waitForSelector('#consent-list li');
    expect(await page.locator('#consent-list').innerText()).toContain('We may keep in touch');

    // Reached (the phone attempt) and agreed: engaged, and now a referral can be made.
    await page.click('#mark-engaged');
    await page.waitForSelector('#refer-onward');
    expect(await caseOnHub()).toEqual({ status: 'ENGAGED', close_reason: null });
    await page.click('#refer-onward');
    await page.waitForSelector('#resource-list li');
    await page.locator('#resource-list li button', { hasText: 'Refer here' }).first().click();
    await page.waitForSelector('text=Referral made.');
    const referrals = await hub
      .em()
      .execute<Array<{ n: number }>>(
        `select count(*)::int as n from referral where case_id = ? and type <> 'FOLLOW_UP_OUTREACH'`,
        [routed.kase.id],
      );
    expect(referrals[0].n).toBe(1);

    await page.click('nav.tabs a[href="#/cases"]');
    await page.click(`a[data-case-id="${routed.kase.id}"]`);
    await page.waitForSelector('#referral-list li');
    expect(await page.locator('#referral-list').innerText()).toContain('asked');
    await page.click('#close-case');
    await page.selectOption('#close-reason', 'HARM_REDUCTION_ONLY');
    await axe('close case');
    await shot('close');
    await page.click('#close-form button[type=submit]');
    await page.waitForSelector('#cases-title');
    expect(await caseOnHub()).toEqual({ status: 'CLOSED', close_reason: 'HARM_REDUCTION_ONLY' });
    expect(await page.locator(`a[data-case-id="${routed.kase.id}"]`).count()).toBe(0);
  });

  it('settings: reminders and sign-out', async () => {
    await page.click('nav.tabs a[href="#/settings"]');
    await page.waitForSelector('#remind-email');
    await axe('settings');
    await shot('settings');
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in-form');
    const keys =
      (await page.evaluate(`indexedDB.databases().then((dbs) => dbs.some((d) => d.name === 'hub-field-app')
      ? new Promise((resolve) => {
      const open = indexedDB.open('hub-field-app');
      open.onsuccess = () => {
        // Deleted: a bare database without the app's store.
        if (!open.result.objectStoreNames.contains('kv')) {
          open.result.close();
          return resolve([]);
        }
        const all = open.result.transaction('kv').objectStore('kv').getAllKeys();
        all.onsuccess = () => {
          open.result.close();
          resolve(all.result);
        };
      };
    }) : [])`)) as string[];
    // Wiped: no cases, no outbox (a fresh key may exist for the next person).
    expect(keys.filter((k) => k !== '__key')).toEqual([]);
    await page.click('#language-toggle');
    await checkSpanish('iniciar sesión');
    await page.click('#language-toggle');
  });

  it('a responder files the four-field quick report; the county comes from the phone', async () => {
    await signIn(ems.email, ems.password);
    await page.waitForSelector('#report-form').catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${await page.locator('body').innerText()}`);
    });
    await page.click('#language-toggle');
    await checkSpanish('reporte rápido');
    await page.click('#language-toggle');
    await page.click('text=Use my location');
    await page.waitForFunction(`document.querySelector('#report-county').value === '37021'`);
    await page.check('#report-fatal-false');
    await page.check('#report-naloxone-true');
    await axe('quick report');
    await page.click('#report-form button[type=submit]');
    await page.waitForSelector('text=Report sent. Thank you.');
    await shot('quick-report');
    const [incident] = await hub.em().execute<Array<{ county: string; fatal: boolean }>>(
      `select i.county, i.fatal from overdose_incident i join app_user u on u.agency_id = i.reporting_agency_id
          where u.id = ? and i.external_id like 'app-%' order by i.created_at desc limit 1`,
      [ems.userId],
    );
    expect(incident).toEqual({ county: '37021', fatal: false });
    expect(
      consoleErrors.filter(
        (e) => !/status of (401|409)|ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(e),
      ),
    ).toEqual([]);
    note(`field-app.e2e: screenshots in ${ARTIFACTS}/field-app-*.png`);
  });

  it('passkeys: the worker adds one, signs out, and signs in with it (virtual authenticator)', async () => {
    // On its own if a test before it failed offline.
    await browser.setOffline(false);
    // A passkey needs a domain, not an IP address: the same hub as http://localhost.
    const second = await browser.newPage();
    second.setDefaultTimeout(45_000);
    const cdp = await browser.newCDPSession(second);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
    await second.goto(`${base.replace('127.0.0.1', 'localhost')}/app/`);
    await second.fill('#email', worker.email);
    await second.fill('#password', worker.password);
    await second.click('#sign-in-form button[type=submit]');
    await second.waitForSelector('#cases-title');
    await second.click('nav.tabs a[href="#/settings"]');
    await second.click('text=Add a passkey for this phone');
    await second.waitForSelector('text=Passkey added');
    await second.click('#sign-out');
    await second.waitForSelector('#sign-in-form');
    await second.click('text=Sign in with a passkey');
    await second.waitForSelector('#cases-title');
    const rows = await hub.em().execute<Array<{ method: string }>>(
      `select details->>'method' as method from audit_event where action = 'SIGN_IN'
          and actor_user_id = ? order by occurred_at desc limit 1`,
      [worker.userId],
    );
    expect(rows).toEqual([{ method: 'PASSKEY' }]);
    await second.close();
  });
});
