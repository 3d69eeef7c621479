import { describe, expect, it } from 'vitest';
import { type RawSender, type SenderPolicy, validateSender } from '../../../src/messaging/validateSender';

const policy: SenderPolicy = {
  extensionId: 'ourextensionid',
  extensionOrigin: 'chrome-extension://ourextensionid',
  isWatchedOrigin: (origin) => origin === 'https://app.element.io',
};

const contentScript: RawSender = {
  id: 'ourextensionid',
  url: 'https://app.element.io/#/room/!abc:example.org',
  origin: 'https://app.element.io',
  tab: { id: 12 },
  frameId: 0,
};

describe('validateSender', () => {
  it('accepts our popup', () => {
    const check = validateSender({ id: 'ourextensionid', url: 'chrome-extension://ourextensionid/popup.html' }, policy);
    expect(check).toEqual({
      ok: true,
      sender: { kind: 'extension-page', url: 'chrome-extension://ourextensionid/popup.html' },
    });
  });

  it('accepts our options page open in a tab (Firefox reports a tab for it)', () => {
    const check = validateSender(
      { id: 'ourextensionid', url: 'chrome-extension://ourextensionid/options.html', tab: { id: 3 }, frameId: 0 },
      policy,
    );
    expect(check).toMatchObject({ ok: true, sender: { kind: 'extension-page' } });
  });

  it('accepts a content script in the top frame of a watched site', () => {
    expect(validateSender(contentScript, policy)).toEqual({
      ok: true,
      sender: { kind: 'content-script', tabId: 12, origin: 'https://app.element.io', url: contentScript.url },
    });
  });

  it('refuses another extension', () => {
    expect(validateSender({ ...contentScript, id: 'someoneelse' }, policy)).toEqual({
      ok: false,
      reason: 'sender is not this extension',
    });
  });

  it('refuses a sender with no id', () => {
    const { id: _id, ...noId } = contentScript;
    expect(validateSender(noId, policy)).toMatchObject({ ok: false });
  });

  it('refuses a content script on a site that is not watched', () => {
    const sender = { ...contentScript, url: 'https://evil.example/', origin: 'https://evil.example' };
    expect(validateSender(sender, policy)).toEqual({ ok: false, reason: 'origin is not a watched site' });
  });

  it('refuses a watched site on plain http or another port', () => {
    for (const url of ['http://app.element.io/', 'https://app.element.io:8443/']) {
      expect(validateSender({ ...contentScript, url, origin: new URL(url).origin }, policy)).toMatchObject({ ok: false });
    }
  });

  it('refuses a content script in a subframe', () => {
    expect(validateSender({ ...contentScript, frameId: 3 }, policy)).toEqual({
      ok: false,
      reason: 'content script in a subframe',
    });
  });

  it('refuses a content script without a tab', () => {
    const { tab: _tab, ...noTab } = contentScript;
    expect(validateSender(noTab, policy)).toEqual({ ok: false, reason: 'content script without a tab' });
  });

  it('refuses a frame whose origin disagrees with its URL (sandboxed or opaque frames)', () => {
    expect(validateSender({ ...contentScript, origin: 'null' }, policy)).toMatchObject({ ok: false });
    expect(validateSender({ ...contentScript, origin: 'https://evil.example' }, policy)).toMatchObject({ ok: false });
  });

  it('refuses data:, about: and malformed URLs', () => {
    for (const url of ['data:text/html,hi', 'about:blank', 'not a url']) {
      const { origin: _origin, ...rest } = contentScript;
      expect(validateSender({ ...rest, url }, policy)).toMatchObject({ ok: false });
    }
  });

  it('does not accept a lookalike of our extension origin as an extension page', () => {
    const lookalike = { id: 'ourextensionid', url: 'chrome-extension://ourextensionid.evil/popup.html' };
    expect(validateSender(lookalike, policy)).toMatchObject({ ok: false });
  });

  it('does not accept an extension page whose reported origin is not ours', () => {
    const sender = {
      id: 'ourextensionid',
      url: 'chrome-extension://ourextensionid/popup.html',
      origin: 'https://app.element.io',
    };
    expect(validateSender(sender, policy)).toMatchObject({ ok: false });
  });
});
