import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSdkLogger } from '../../../src/matrix/sdkLogger';

describe('the logger given to matrix-js-sdk', () => {
  afterEach(() => vi.restoreAllMocks());

  it('drops debug, info and trace output', () => {
    const spies = ['debug', 'info', 'log', 'trace', 'warn', 'error'].map((method) =>
      vi.spyOn(console, method as 'log').mockImplementation(() => undefined),
    );
    const logger = createSdkLogger();
    logger.debug('FetchHttpApi: --> GET /sync');
    logger.info('olm session created');
    logger.trace('deep');
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('keeps warnings and errors as text, with objects reduced to their type', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const logger = createSdkLogger().getChild('[RustCrypto]');
    logger.warn('Failed to send', { access_token: 'syt_secret', body: { ciphertext: 'x' } }, 42, new TypeError('fetch failed'));
    expect(warn).toHaveBeenCalledWith('[trust-guard:matrix:[RustCrypto]] Failed to send <object> 42 TypeError: fetch failed');
  });

  it('bounds the length of each message', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    createSdkLogger().error('y'.repeat(10_000));
    expect(String(error.mock.calls[0]?.[0]).length).toBeLessThan(600);
  });
});
