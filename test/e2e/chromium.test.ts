import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright';
import type { Browser } from 'webextension-polyfill';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { readEngineFacts, settled } from '../support/extensionPages.ts';
import { chromiumArgsForSites, startFixtureSite, type FixtureSite } from '../support/fixtureSite.ts';
import { CHROME_BUILD, REPO_ROOT } from '../support/paths.ts';
import { waitFor } from '../support/waitFor.ts';

// Chrome's extension API in pages and the worker: promise-based in MV3, typed by the polyfill's types.
declare const chrome: Browser;

describe('the built extension in Chromium', () => {
  let chromium: ChromiumSession;
  const workerLog: string[] = [];

  beforeAll(async () => {
    chromium = await launchChromium();
    (await chromium.serviceWorker()).on('console', (message) => workerLog.push(message.text()));
  });
  afterAll(async () => {
    await chromium.close();
  });

  it('initialises Rust crypto in the service worker, and the popup invites to sign in', async () => {
    const options = await chromium.openExtensionPage('options.html');
    await options.locator('[data-status="engine"].tone-ok').waitFor();
    expect(await options.locator('[data-status="engine"]').innerText()).toContain('Ready');
    await options.close();
    const popup = await chromium.openExtensionPage('popup.html');
    // The verdict says first that nothing is checked, and why.
    expect(await popup.locator('.verdict').innerText()).toContain('Not checking: signed out');
    await expect(popup.getByRole('button', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    // A working engine needs no line in the popup; only a problem would.
    expect(await popup.locator('[data-status="engine"]').count()).toBe(0);
    await popup.close();
  });

  it('finds the same crypto store after the service worker is stopped and started again', async () => {
    const options = await chromium.openExtensionPage('options.html');
    const before = await waitFor('the engine to be ready', async () => settled(await readEngineFacts(options)));
    expect(before.tone).toBe('ok');
    await options.close();

    await chromium.stopServiceWorkers();
    // Opening a page that talks to the background wakes a new worker.
    const reopened = await chromium.openExtensionPage('options.html');
    const after = await waitFor('a restarted worker to report', async () => {
      const facts = settled(await readEngineFacts(reopened));
      return facts && facts.backgroundStartedAt !== before.backgroundStartedAt ? facts : undefined;
    });
    expect(after.tone).toBe('ok');
    expect(after.identityKey).toBe(before.identityKey);
    expect(after.openCount).toBe((before.openCount ?? 0) + 1);
    await reopened.close();
  });

  it('answers unknown, malformed and misdirected messages with typed errors and logs no payload', async () => {
    const page = await chromium.openExtensionPage('options.html');
    const marker = 'payload-marker-7f3a';
    const answers = await page.evaluate(async (secret) => {
      const send = (message: unknown) => chrome.runtime.sendMessage(message);
      return {
        unknown: await send({ kind: 'steal.keys', params: { secret } }),
        malformed: await send(`not an object ${secret}`),
        extraField: await send({ kind: 'status.get', params: {}, secret }),
        wrongSender: await send({ kind: 'page.hello', params: {} }),
        wrongParams: await send({ kind: 'status.get', params: { secret } }),
        fine: await send({ kind: 'status.get', params: {} }),
      };
    }, marker);
    expect(answers.unknown).toEqual({ ok: false, error: { code: 'unknown-kind', message: 'unknown request kind' } });
    expect(answers.malformed).toMatchObject({ ok: false, error: { code: 'malformed' } });
    expect(answers.extraField).toMatchObject({ ok: false, error: { code: 'malformed' } });
    expect(answers.wrongSender).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(answers.wrongParams).toMatchObject({ ok: false, error: { code: 'malformed' } });
    expect(answers.fine).toMatchObject({ ok: true, result: { account: { state: 'signed-out' } } });

    await waitFor('the refusals to be logged', () =>
      workerLog.filter((l) => l.includes('message refused')).length >= 5 ? true : undefined,
    );
    expect(workerLog.join('\n')).not.toContain(marker);
    await page.close();
  });
});

describe('the permissions the built extensions ask for', () => {
  /** The first column of the README's "Permissions, and why" table: what each row explains. */
  async function documented(): Promise<{ names: Set<string>; rows: string[] }> {
    const readme = await fs.readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.split('## Permissions, and why')[1]?.split('\n## ')[0] ?? '';
    const rows = section
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| permission') && !line.startsWith('|---'));
    const firstColumns = rows.map((row) => row.split(' | ')[0] ?? '');
    return {
      names: new Set(firstColumns.flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? ''))),
      rows: firstColumns,
    };
  }

  it.each(['chrome-mv3', 'firefox-mv3'])(
    'are, in %s, exactly those the README explains, and no host permission up front',
    async (build) => {
      const manifest = JSON.parse(await fs.readFile(path.join(REPO_ROOT, '.output', build, 'manifest.json'), 'utf8')) as {
        permissions?: string[];
        host_permissions?: string[];
        optional_host_permissions?: string[];
        optional_permissions?: string[];
        content_scripts?: { matches: string[] }[];
      };
      const { names, rows } = await documented();
      const asked = [...(manifest.permissions ?? []), ...(manifest.optional_host_permissions ?? [])];
      expect(asked.filter((permission) => !names.has(permission))).toEqual([]);
      // Every permission the README explains is one the manifest asks for (no stale rows).
      const explained = [...names].filter((name) => /^[a-zA-Z]+$/.test(name) || name.includes('://'));
      expect(explained.filter((name) => !asked.includes(name))).toEqual([]);
      expect(explained.length).toBeGreaterThanOrEqual(asked.length);
      expect(manifest.host_permissions).toBeUndefined();
      expect(manifest.optional_permissions).toBeUndefined();
      const sites = (manifest.content_scripts ?? []).flatMap((script) =>
        script.matches.map((match) => new URL(match.replace('/*', '/')).hostname),
      );
      const siteRow = rows.find((row) => row.startsWith('| content scripts on')) ?? '';
      expect(sites.length).toBeGreaterThan(0);
      expect(sites.filter((site) => !siteRow.includes(site))).toEqual([]);
    },
  );
});

describe('the crypto module shipped as a file', () => {
  let copy: string;
  let chromium: ChromiumSession | undefined;

  beforeAll(async () => {
    copy = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-no-wasm-'));
    await fs.cp(CHROME_BUILD, copy, { recursive: true });
  });
  afterAll(async () => {
    await chromium?.close();
    await fs.rm(copy, { recursive: true, force: true });
  });

  it('is not inlined into background.js', async () => {
    const background = await fs.readFile(path.join(CHROME_BUILD, 'background.js'), 'utf8');
    expect(background).not.toMatch(/data:application\/(wasm|octet-stream);base64/);
    await expect(fs.stat(path.join(CHROME_BUILD, 'wasm/matrix_sdk_crypto_wasm_bg.wasm'))).resolves.toBeTruthy();
  });

  it('is what the engine loads: without it the popup reports the engine failed, with the reason', async () => {
    await fs.rm(path.join(copy, 'wasm/matrix_sdk_crypto_wasm_bg.wasm'));
    chromium = await launchChromium({ extensionDir: copy });
    const popup = await chromium.openExtensionPage('popup.html');
    // Without the engine there is no account either; both say why.
    const engine = popup.locator('[data-status="engine"]');
    await popup.locator('[data-status="engine"].tone-bad').waitFor();
    expect(await engine.innerText()).toMatch(/Not working[\s\S]*The encryption engine could not start: .+/);
  });
});

describe("the in-page script on each built-in site, with the clients' fixture pages, in Chromium", () => {
  const FIXTURES = [
    { hostname: 'app.element.io', fixture: 'element-web.html', route: '#/room/!roomA:example.org', client: 'Element Web' },
    { hostname: 'develop.element.io', fixture: 'element-web-legacy.html', route: '#/room/#legacy:example.org', client: 'Element Web' },
    { hostname: 'app.cinny.in', fixture: 'cinny.html', route: '', client: 'Cinny' },
    { hostname: 'hydrogen.element.io', fixture: 'hydrogen.html', route: '#/session/1/room/!hydroRoom:example.org', client: 'Hydrogen' },
  ];
  const sites: FixtureSite[] = [];
  let chromium: ChromiumSession;

  /** The toolbar tooltip of `page`'s tab (the extension may not look tabs up by URL: it asks about the active one). */
  async function toolbarTitleOf(page: Page): Promise<string> {
    await page.bringToFront();
    const worker = await chromium.serviceWorker();
    return worker.evaluate(async () => {
      const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
      return chrome.action.getTitle({ tabId: tab?.id ?? -1 });
    });
  }

  beforeAll(async () => {
    for (const { hostname, fixture } of FIXTURES) {
      const html = await fs.readFile(path.join(REPO_ROOT, 'test/fixtures', fixture), 'utf8');
      // A page of the client that never renders its app: loading forever, or markup changed.
      sites.push(await startFixtureSite(hostname, { '/': html, '/blank': '<!doctype html><title>Loading</title><p>Loading…</p>' }));
    }
    chromium = await launchChromium({ args: chromiumArgsForSites(sites) });
  });
  afterAll(async () => {
    await chromium.close();
    for (const site of sites) await site.close();
  });

  it.each(FIXTURES)('recognises $client on https://$hostname and names it in the toolbar', async ({ hostname, route, client }) => {
    const page = await chromium.context.newPage();
    await page.goto(`https://${hostname}/${route}`);
    const expected = `Matrix Trust Guard: ${client} detected. Sign in to see warnings for this page.`;
    await waitFor(`the toolbar to name ${client}`, async () => ((await toolbarTitleOf(page)) === expected ? true : undefined));
    await page.close();
  });

  it('says so when a watched site shows a page it does not understand, and draws nothing', async () => {
    const page = await chromium.context.newPage();
    await page.goto('https://app.element.io/blank');
    const expected = 'Matrix Trust Guard does not understand this page, so it shows no warnings here.';
    await waitFor('the toolbar to say the page is not understood', async () =>
      (await toolbarTitleOf(page)) === expected ? true : undefined,
    );
    expect(await page.locator('[data-mtg-badge], [data-mtg-banner]').count()).toBe(0);
    await page.close();
  });
});
