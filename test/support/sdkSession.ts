import type { AccountDevice } from '../../src/background/ports/accountDevice';
import { MatrixDevice } from '../../src/matrix/matrixDevice';
import type { MatrixSession } from '../../src/matrix/matrixSession';

/**
 * The matrix-js-sdk session under the extension's device, for tests and benchmarks that drive
 * it as a peer (cross-sign a device, read what its crypto knows). The background itself only
 * ever sees the device's ports.
 */
export function sdkSessionOf(device: AccountDevice | undefined): MatrixSession {
  if (!device) throw new Error('the extension has no device: not signed in');
  if (!(device instanceof MatrixDevice)) throw new Error('the extension runs another kind of device than MatrixDevice');
  return device.session;
}
