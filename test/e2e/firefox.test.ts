import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEngineFactsInPage, settled } from '../support/extensionPages.ts';
import { type FirefoxSession, launchFirefox } from '../support/firefox.ts';
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

  it('initialises Rust crypto in the background page and the popup says so', async () => {
    const popup = await firefox.openExtensionPage('popup.html');
    await popup.waitForSelector('[data-status="Encryption engine"].tone-ok');
    const text = await popup.$eval('main', (main) => main.innerText);
    expect(text).toContain('Ready');
    expect(text).toContain('Not signed in');
    await popup.close();
  });

  it('finds the same crypto store after the event page is suspended and woken again', async () => {
    const options = await firefox.openExtensionPage('options.html');
    const first = await waitFor('the engine to be ready', async () => settled(await options.evaluate(readEngineFactsInPage)));
    expect(first.tone).toBe('ok');
    expect(first.engineVersion).toMatch(/^Rust SDK .+Vodozemac/);
    // Suspension cuts the page's status port; the page reconnects, which wakes a new
    // background instance that must open the very same store.
    const later = await waitFor(
      'a new background instance to report',
      async () => {
        const facts = settled(await options.evaluate(readEngineFactsInPage));
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
