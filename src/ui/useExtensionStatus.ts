import type { ExtensionStatus } from '../messaging/protocol';
import { type LiveState, useLive } from './useLive';

/** The background's status, live (see useLive). */
export function useExtensionStatus(): LiveState<ExtensionStatus> {
  return useLive('status');
}
