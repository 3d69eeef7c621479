import { describe, expect, it } from 'vitest';
import {
  classifyDevice,
  deviceSeverity,
  identitySeverity,
  identityState,
  isDeviceClass,
  isWorse,
  worstSeverity,
} from '../../../src/trust/classifyDevice';
import type { DeviceClass } from '../../../src/trust/types';
import { alice, bob, carol, dave, device, erin, frank, user } from './facts';

function classOf(owner: typeof bob, deviceId: string): DeviceClass {
  const found = owner.devices.find((candidate) => candidate.deviceId === deviceId);
  if (!found) throw new Error(`no device ${deviceId}`);
  return classifyDevice(found, owner);
}

describe('classifyDevice', () => {
  it('calls a device cross-signed by an owner we verified verified', () => {
    expect(classOf(bob, 'BOBPHONE')).toBe('verified');
  });

  it('calls a device we verified by hand verified, whoever its owner is', () => {
    expect(classifyDevice(device('X', 'locally-verified'), dave)).toBe('verified');
    expect(classifyDevice(device('X', 'locally-verified', { signedByOwner: false }), carol)).toBe('verified');
  });

  it('calls a new device Bob (verified by us) did not cross-sign unsigned-of-verified', () => {
    expect(classOf(bob, 'BOBNEW')).toBe('unsigned-of-verified');
  });

  it('calls the devices of Carol, unverified but signing all of them, owner-signed', () => {
    expect(classOf(carol, 'CAROLLAPTOP')).toBe('owner-signed');
    expect(classOf(carol, 'CAROLPHONE')).toBe('owner-signed');
  });

  it('calls a device Dave uploaded without signing it unsigned', () => {
    expect(classOf(dave, 'DAVEBOT')).toBe('unsigned');
  });

  it('calls an unsigned device of a user we verified before their reset unsigned-of-verified', () => {
    expect(classifyDevice(device('FRANKNEW', 'unsigned'), frank)).toBe('unsigned-of-verified');
  });

  it('calls an own device our identity did not sign unsigned-of-verified, even before we verified our own identity', () => {
    const unverifiedUs = user(alice.userId, [], { isOwnUser: true, verified: false });
    expect(classifyDevice(device('INTRUDER', 'unsigned'), unverifiedUs)).toBe('unsigned-of-verified');
    expect(classifyDevice(device('INTRUDER', 'unsigned'), alice)).toBe('unsigned-of-verified');
  });

  it('calls a key the server offered under a known device id conflicting-key, even if it claims to be signed or verified', () => {
    const offered = device('BOBPHONE', 'verified', { ed25519Key: 'server-made', conflictsWithKey: 'the-real-one' });
    expect(classifyDevice(offered, bob)).toBe('conflicting-key');
    expect(classifyDevice({ ...offered, locallyVerified: true }, bob)).toBe('conflicting-key');
  });

  it('calls an unsigned device of a user without any cross-signing identity unsigned', () => {
    expect(classifyDevice(device('OLD', 'unsigned'), user('@legacy:example.org', [], { hasIdentity: false }))).toBe('unsigned');
  });
});

describe('identityState', () => {
  it('is ok for a user with nothing to approve', () => {
    expect(identityState(carol)).toBe('ok');
  });

  it('reports that Erin changed her identity until someone approves it', () => {
    expect(identityState(erin)).toBe('identity-changed');
    expect(identityState({ ...erin, needsApproval: false })).toBe('ok');
  });

  it('reports a verification violation for Frank, verified once and reset since', () => {
    expect(identityState(frank)).toBe('verification-violation');
  });

  it('prefers the verification violation when the changed identity also awaits approval', () => {
    expect(identityState({ ...frank, needsApproval: true })).toBe('verification-violation');
  });

  it('is ok again once the reset identity is verified', () => {
    expect(identityState({ ...frank, verified: true })).toBe('ok');
  });
});

describe('severities', () => {
  it('never warns about a verified device', () => {
    expect(deviceSeverity('verified', 'default')).toBe('none');
    expect(deviceSeverity('verified', 'strict')).toBe('none');
  });

  it('leaves owner-signed devices quiet by default and warns about them under the strict policy', () => {
    expect(deviceSeverity('owner-signed', 'default')).toBe('none');
    expect(deviceSeverity('owner-signed', 'strict')).toBe('warn');
  });

  it('warns about unsigned devices under either policy', () => {
    expect(deviceSeverity('unsigned', 'default')).toBe('warn');
    expect(deviceSeverity('unsigned', 'strict')).toBe('warn');
  });

  it('is critical about an unsigned device of a verified user under either policy', () => {
    expect(deviceSeverity('unsigned-of-verified', 'default')).toBe('critical');
    expect(deviceSeverity('unsigned-of-verified', 'strict')).toBe('critical');
  });

  it('is critical about a key the server offered in place of a known one, under either policy', () => {
    expect(deviceSeverity('conflicting-key', 'default')).toBe('critical');
    expect(deviceSeverity('conflicting-key', 'strict')).toBe('critical');
    expect(isWorse('conflicting-key', 'unsigned-of-verified')).toBe(true);
  });

  it('is critical about a changed identity and a verification violation, and quiet otherwise', () => {
    expect(identitySeverity('identity-changed')).toBe('critical');
    expect(identitySeverity('verification-violation')).toBe('critical');
    expect(identitySeverity('ok')).toBe('none');
  });

  it('takes the worst of several severities, none for none at all', () => {
    expect(worstSeverity(['none', 'critical', 'warn'])).toBe('critical');
    expect(worstSeverity(['warn', 'none'])).toBe('warn');
    expect(worstSeverity([])).toBe('none');
  });
});

describe('isWorse', () => {
  const order: DeviceClass[] = ['verified', 'owner-signed', 'unsigned', 'unsigned-of-verified'];

  it('orders classes verified < owner-signed < unsigned < unsigned-of-verified', () => {
    for (const [i, a] of order.entries()) {
      for (const [j, b] of order.entries()) {
        expect(isWorse(a, b), `${a} worse than ${b}`).toBe(i > j);
      }
    }
  });

  it('recognises exactly these four classes in data from outside', () => {
    for (const cls of order) expect(isDeviceClass(cls)).toBe(true);
    for (const junk of ['Verified', 'trusted', '', 'toString', '__proto__', 3, null, undefined]) expect(isDeviceClass(junk)).toBe(false);
  });
});
