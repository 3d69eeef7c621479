import type { Page } from 'playwright';
import type { Browser } from 'webextension-polyfill';
import { VerificationPhase } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { ChromiumSession } from './chromium.ts';
import type { Peer } from './peer.ts';
import { waitFor } from './waitFor.ts';

/** What the options page shows about the encryption engine and the background. */
export interface EngineFacts {
  tone: string | null;
  identityKey: string | null;
  openCount: number | null;
  backgroundStartedAt: number | null;
  engineVersion: string | null;
  startupMs: number | null;
}

/**
 * Reads, inside the options page, what a user sees: the engine line's tone and the facts list.
 * It is a script in a string, not a function, so no transpiler (tsx adds helpers such as
 * `__name` to functions) can add code the page does not have.
 */
const ENGINE_FACTS_SCRIPT = `(() => {
  const fact = (id) => document.querySelector('[data-fact="' + id + '"]');
  const line = document.querySelector('[data-status="engine"]');
  const tone = line ? ((/tone-(\\w+)/.exec(line.className) || [])[1] ?? null) : null;
  const opened = fact('store-opened')?.textContent ?? '';
  const started = fact('background-started')?.dataset.epoch;
  const startup = fact('startup-ms')?.textContent ?? '';
  return {
    tone,
    identityKey: fact('identity-key')?.textContent ?? null,
    openCount: /^\\d+/.test(opened) ? Number.parseInt(opened, 10) : null,
    backgroundStartedAt: started === undefined ? null : Number(started),
    engineVersion: fact('engine-version')?.textContent ?? null,
    startupMs: /^\\d+ ms$/.test(startup) ? Number.parseInt(startup, 10) : null,
  };
})()`;

/** What a page (Playwright's or Puppeteer's) needs to run the script. */
interface ScriptablePage {
  evaluate(script: string): Promise<unknown>;
}

export async function readEngineFacts(page: ScriptablePage): Promise<EngineFacts> {
  return (await page.evaluate(ENGINE_FACTS_SCRIPT)) as EngineFacts;
}

/** Facts once the engine has reported (ready or failed), or undefined while it starts. */
export function settled(facts: EngineFacts): EngineFacts | undefined {
  return facts.tone === 'ok' || facts.tone === 'bad' ? facts : undefined;
}

/**
 * Signs the extension in the way a person would: the options page's form (Playwright page).
 * Resolves once the account syncs.
 */
export async function signInThroughOptions(
  options: Page,
  account: { homeserver: string; userId: string; password: string },
): Promise<void> {
  await options.getByLabel('Homeserver').fill(account.homeserver);
  await options.getByLabel('User').fill(account.userId);
  await options.getByLabel('Password').fill(account.password);
  await options.getByRole('button', { name: 'Sign in', exact: true }).click();
  await options.locator('[data-status="sync"].tone-ok').waitFor({ timeout: 60_000 });
}

/** Signs the extension in from an options page of its own, closed once the account syncs. */
export async function signInInOptionsPage(
  chromium: ChromiumSession,
  account: { homeserver: string; userId: string; password: string },
): Promise<void> {
  const options = await chromium.openExtensionPage('options.html');
  await signInThroughOptions(options, account);
  await options.close();
}

declare const chrome: Browser;

/**
 * The toolbar button of `page`'s tab: badge text and tooltip. The extension has no "tabs"
 * permission, so it cannot find the tab by URL: bring it to the front and ask about the active
 * tab, as the popup does.
 */
export async function toolbarOf(chromium: ChromiumSession, page: Page): Promise<{ text: string; title: string }> {
  await page.bringToFront();
  const worker = await chromium.serviceWorker();
  return worker.evaluate(async () => {
    const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    const tabId = tab?.id;
    return { text: await chrome.action.getBadgeText({ tabId }), title: await chrome.action.getTitle({ tabId }) };
  });
}

/** Acknowledges every new warning in a room, in the extension's review page, and waits for "clear". */
export async function acknowledgeAllInReview(chromium: ChromiumSession, roomId: string): Promise<void> {
  const review = await chromium.openExtensionPage(`popup.html#room=${encodeURIComponent(roomId)}`);
  await review.getByRole('button', { name: 'Acknowledge all' }).click({ timeout: 60_000 });
  await review.locator(`.room-review[data-room="${roomId}"] .room-summary.tone-ok`).waitFor({ timeout: 30_000 });
  await review.close();
}

/**
 * Verifies the extension from its popup with emoji against `phone`, another device of the same
 * account, as its owner would: the phone accepts, both show the same emoji (checked), both
 * confirm, and the popup ends with this extension verified. `beforeConfirming` sees the emoji
 * on screen (for a screenshot).
 */
export async function verifyWithOwnDevice(popup: Page, phone: Peer, beforeConfirming?: () => Promise<void>): Promise<void> {
  await popup.getByRole('button', { name: 'Verify with another device' }).click();
  const request = await waitFor(
    'the phone to receive the request',
    // The new request, not one finished before (it may still be listed).
    () =>
      phone.crypto
        .getVerificationRequestsToDeviceInProgress(phone.userId)
        .find((candidate) => candidate.phase === VerificationPhase.Requested),
    60_000,
  );
  await request.accept();
  const verifier = await waitFor('the phone to have a verifier', () => request.verifier);
  const done = verifier.verify();
  const phoneSas = await waitFor('the phone to show emoji', () => verifier.getShowSasCallbacks() ?? undefined);
  await popup.locator('ol.emoji li').first().waitFor();
  const shown = await popup.locator('ol.emoji .emoji-name').allInnerTexts();
  await beforeConfirming?.();
  // The phone's owner confirms only if the popup shows the same emoji.
  if (shown.join() !== (phoneSas.sas.emoji ?? []).map(([, name]) => name).join())
    throw new Error(`the popup shows ${shown.join(' ')}, the phone something else`);
  await phoneSas.confirm();
  await popup.getByRole('button', { name: 'They match' }).click();
  await done;
  await popup.getByText('Verified.').waitFor({ timeout: 60_000 });
  await popup.getByRole('button', { name: 'OK' }).click();
  // Its ok tone: a text locator for "Verified" would also match "Not verified".
  await popup.locator('[data-status="this-device"].tone-ok').waitFor({ timeout: 60_000 });
}
