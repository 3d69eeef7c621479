import { vi } from 'vitest';
import { useMessageLookup } from '../../src/text/i18n';
import { lookupIn, readMessages } from './chromeI18n';

/**
 * Runs before every unit test file (vitest.config.ts, project `unit`).
 *
 * The UI's text comes from `browser.i18n`, which Node does not have, and the polyfill throws
 * as soon as it is imported outside an extension. Unit tests get an empty `browser` instead (a
 * test that needs one of its APIs mocks the module itself), and the UI's messages come from
 * the English messages.json with the browser's substitution rules, so tests assert on the
 * English text a user reads.
 */
vi.mock('webextension-polyfill', () => ({ default: {} }));

useMessageLookup(lookupIn(readMessages()));
