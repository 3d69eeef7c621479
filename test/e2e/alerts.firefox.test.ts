import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import { roomNoticeId } from '../../src/background/notifier';
import { type FirefoxSession, launchFirefox } from '../support/firefox.ts';
import { aliceAndDaveInARoom } from '../support/alertWorld.ts';
import { Peer } from '../support/peer.ts';
import { connectToSynapse } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

declare const browser: Browser;

/**
 * Issue 14 in Firefox ESR (an event page, WebDriver BiDi): with no tab open, a session of the
 * user's own account that their identity never signed becomes a notification. Firefox's
 * `notifications.getAll` answers with each notification's options, so its words are read back
 * as created, from an extension page opened only to look.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);
const SLOW = 60_000;

describe('alerts as notifications, in Firefox ESR', () => {
  let firefox: FirefoxSession;
  const peers: Peer[] = [];

  beforeAll(async () => {
    // Headless, the system's notification service closes each notification at once (getAll
    // would be empty again within half a second): Firefox's own alert windows keep it open.
    firefox = await launchFirefox({ prefs: { 'alerts.useSystemBackend': false, 'alerts.totalOpenTime': 600_000 } });
  });

  afterAll(async () => {
    for (const peer of peers) peer.stop();
    await (firefox as FirefoxSession | undefined)?.close();
  });

  it('an unsigned session of the own account, added with no tab open, is notified with the room and the session named', async () => {
    const { alice, roomId } = await aliceAndDaveInARoom(synapse, peers);

    const options = await firefox.openExtensionPage('options.html');
    await options.type('input[name="homeserver"]', server.baseUrl);
    await options.type('input[name="user"]', alice.userId);
    await options.type('input[name="password"]', alice.password);
    await options.click('form.sign-in button[type="submit"]');
    await options.waitForSelector('[data-status="sync"].tone-ok', { timeout: SLOW });
    await options.close();
    const extensionPages = (await firefox.browser.pages()).filter((page) => page.url().startsWith('moz-extension://'));
    expect(extensionPages).toEqual([]);

    const intruder = await Peer.login(server, alice, { deviceName: 'Unknown laptop' });
    peers.push(intruder);

    const looking = await firefox.openExtensionPage('options.html');
    const id = roomNoticeId(roomId);
    const shown = await waitFor(
      'the notification about the unknown session',
      async () => {
        const all = await looking.evaluate(() => browser.notifications.getAll());
        return all[id];
      },
      SLOW,
    );
    expect(shown).toMatchObject({
      type: 'basic',
      title: 'Matrix Trust Guard',
      message: 'Your account has a session your identity never signed: Unknown laptop. Someone else may hold your account. Room: Dave.',
    });
    await looking.close();
  }, 180_000);
});
