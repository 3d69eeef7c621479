import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readEngineFacts, settled } from '../support/extensionPages.ts';
import { type FirefoxSession, launchFirefox } from '../support/firefox.ts';
import { Peer } from '../support/peer.ts';
import { connectToSynapse } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

describe('the built extension in Firefox ESR', () => {
  let firefox: FirefoxSession;

  beforeAll(async () => {
    // A short idle timeout makes Firefox suspend the event page within seconds, as it
    // would after 30 s of quiet in real use.
    firefox = await launchFirefox({ prefs: { 'extensions.background.idle.timeout': 2000 } });
  });
  afterAll(async () => {
    await firefox.close();
  });

  it('initialises Rust crypto in the background page, and the popup invites to sign in', async () => {
    const options = await firefox.openExtensionPage('options.html');
    await options.waitForSelector('[data-status="engine"].tone-ok');
    expect(await options.$eval('[data-status="engine"]', (line) => (line as HTMLElement).innerText)).toContain('Ready');
    await options.close();
    const popup = await firefox.openExtensionPage('popup.html');
    await popup.waitForSelector('.verdict');
    expect(await popup.$eval('.verdict', (verdict) => (verdict as HTMLElement).innerText)).toContain('Not checking: signed out');
    // A working engine needs no line in the popup; only a problem would.
    expect(await popup.$('[data-status="engine"]')).toBeNull();
    await popup.close();
  });

  it('finds the same crypto store after the event page is suspended and woken again', async () => {
    const options = await firefox.openExtensionPage('options.html');
    const first = await waitFor('the engine to be ready', async () => settled(await readEngineFacts(options)));
    expect(first.tone).toBe('ok');
    expect(first.engineVersion).toMatch(/^Rust SDK .+Vodozemac/);
    // Suspension cuts the page's status port; the page reconnects, which wakes a new
    // background instance that must open the very same store.
    const later = await waitFor(
      'a new background instance to report',
      async () => {
        const facts = settled(await readEngineFacts(options));
        return facts && facts.backgroundStartedAt !== first.backgroundStartedAt ? facts : undefined;
      },
      60_000,
    );
    expect(later.tone).toBe('ok');
    expect(later.identityKey).toBe(first.identityKey);
    expect(later.openCount).toBeGreaterThan(first.openCount ?? 0);
    await options.close();
  });

  it('answers an unknown message with a typed error', async () => {
    const page = await firefox.openExtensionPage('options.html');
    const answer: unknown = await page.evaluate(() => browser.runtime.sendMessage({ kind: 'steal.keys', params: {} }));
    expect(answer).toEqual({ ok: false, error: { code: 'unknown-kind', message: 'unknown request kind' } });
    await page.close();
  });
});

describe('the extension signed in, in Firefox ESR', () => {
  const server = inject('synapse');
  const synapse = connectToSynapse(server);
  let firefox: FirefoxSession;
  const peers: Peer[] = [];

  beforeAll(async () => {
    firefox = await launchFirefox({ prefs: { 'extensions.background.idle.timeout': 3000 } });
  });
  afterAll(async () => {
    for (const peer of peers) peer.stop();
    await firefox.close();
  });

  it('signs in through the options page, lists an unsigned device, and keeps its device across event-page suspensions', async () => {
    const alice = await synapse.registerUser({ displayName: 'Alice' });
    const options = await firefox.openExtensionPage('options.html');
    await options.type('input[name="homeserver"]', server.baseUrl);
    await options.type('input[name="user"]', alice.userId);
    await options.type('input[name="password"]', alice.password);
    await options.click('form.sign-in button[type="submit"]');
    await options.waitForSelector('[data-status="sync"].tone-ok', { timeout: 60_000 });
    const deviceOf = () =>
      options.evaluate(async () => {
        const reply: unknown = await browser.runtime.sendMessage({ kind: 'status.get', params: {} });
        const answer = reply as { result: { backgroundStartedAt: number; account: { state: string; deviceId?: string } } };
        return { deviceId: answer.result.account.deviceId, startedAt: answer.result.backgroundStartedAt };
      });
    const first = await deviceOf();
    expect(first.deviceId).toBeTruthy();

    const phone = await Peer.login(server, alice, { deviceName: "Alice's phone" });
    const dave = await Peer.login(server, await synapse.registerUser({ displayName: 'Dave' }));
    peers.push(phone, dave);
    const roomId = await phone.shareRoomWith(dave);
    const popup = await firefox.openExtensionPage('popup.html');
    await popup.waitForSelector('button.room-toggle', { timeout: 60_000 });
    await popup.click('button.room-toggle');
    await popup.waitForSelector(`li.device[data-device="${dave.deviceId}"]`, { timeout: 60_000 });
    expect(roomId).toMatch(/^!/);
    await popup.close();
    // An acknowledged warning in the ledger: it must outlive the suspensions, with its times.
    const ledgerOf = () =>
      options.evaluate(async () => {
        const reply: unknown = await browser.runtime.sendMessage({ kind: 'ledger.export', params: {} });
        const { json } = (reply as { result: { json: string } }).result;
        return (
          JSON.parse(json) as {
            entries: { userId: string; deviceId: string; ed25519Key: string; firstSeenAt: number; acknowledgedAt?: number }[];
          }
        ).entries;
      });
    // Acknowledged as the popup does: the devices it showed, with their keys.
    const shown = (await ledgerOf())
      .filter((e) => e.userId === dave.userId)
      .map(({ userId, deviceId, ed25519Key }) => ({ userId, deviceId, ed25519Key }));
    await options.evaluate(
      async (params) => {
        await browser.runtime.sendMessage({ kind: 'room.acknowledge', params });
      },
      { roomId, devices: shown },
    );
    const ledgerBefore = await ledgerOf();
    expect(ledgerBefore.find((e) => e.userId === dave.userId && e.deviceId === dave.deviceId)?.acknowledgedAt).toEqual(expect.any(Number));

    // The options page stays open; each suspension cuts its port and the page wakes a new
    // instance. Watch what the page shows: asking the background would keep it awake.
    await waitFor(
      'a new background instance',
      async () => {
        const facts = await readEngineFacts(options);
        return facts.backgroundStartedAt !== null && facts.backgroundStartedAt !== first.startedAt ? true : undefined;
      },
      60_000,
    );
    const resumed = await waitFor('the new instance to resume the account', async () => (await deviceOf()).deviceId);
    expect(resumed).toBe(first.deviceId);
    // The ledger as it was: every entry, once, with the same first-seen and acknowledgement times.
    const ledgerAfter = await ledgerOf();
    const key = (e: { userId: string; deviceId: string; ed25519Key: string }) => `${e.userId}|${e.deviceId}|${e.ed25519Key}`;
    expect(new Set(ledgerAfter.map(key)).size).toBe(ledgerAfter.length);
    for (const entry of ledgerBefore) {
      const kept = ledgerAfter.find((e) => key(e) === key(entry));
      expect(kept?.firstSeenAt).toBe(entry.firstSeenAt);
      expect(kept?.acknowledgedAt).toBe(entry.acknowledgedAt);
    }
  });
});

describe('encryption setup in Firefox ESR', () => {
  const server = inject('synapse');
  const synapse = connectToSynapse(server);
  let firefox: FirefoxSession;

  beforeAll(async () => {
    firefox = await launchFirefox();
  });
  afterAll(async () => {
    await firefox.close();
  });

  it('signs in from the popup and sets up recovery: the key typed back makes this extension verified', async () => {
    const alice = await synapse.registerUser({ displayName: 'Alice' });
    const popup = await firefox.openExtensionPage('popup.html');
    await popup.type('input[name="homeserver"]', server.baseUrl);
    await popup.type('input[name="user"]', alice.userId);
    await popup.type('input[name="password"]', alice.password);
    await popup.click('form.sign-in button[type="submit"]');
    await popup.waitForSelector('[data-status="cross-signing"]', { timeout: 60_000 });
    await clickButton(popup, 'Set up recovery');
    await clickButton(popup, 'Create recovery key');
    const keyView = await popup.waitForSelector('[data-testid="recovery-key"]');
    if (!keyView) throw new Error('no recovery key shown');
    const key = await keyView.evaluate((node) => (node as HTMLElement).innerText.replace(/\s+/g, ' ').trim());
    expect(key.split(' ')).toHaveLength(12);
    await popup.type('input[name="typed-key"]', key);
    await clickButton(popup, 'Confirm and set up');
    await popup.waitForSelector('.recovery[data-step="done"]', { timeout: 60_000 });
    await clickButton(popup, 'OK');
    await popup.waitForFunction(() => document.querySelector('[data-status="this-device"]')?.classList.contains('tone-ok') === true, {
      timeout: 60_000,
    });
    const recovery = await popup.$eval('[data-status="recovery"]', (node) => (node as HTMLElement).innerText);
    expect(recovery).toContain('Set up');
  });
});

/** Clicks the button whose text is exactly `label` (puppeteer's text selector). */
async function clickButton(page: Page, label: string): Promise<void> {
  const button = await page.waitForSelector(`::-p-xpath(//button[normalize-space(.)="${label}"])`, { timeout: 60_000 });
  if (!button) throw new Error(`no button "${label}"`);
  await button.click();
}
