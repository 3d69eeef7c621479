import { Peer } from './peer.ts';
import type { RegisteredUser, SynapseConnection } from './synapse.ts';

/** Alice (a cross-signed phone) and Dave sharing one encrypted room: where the alert tests add sessions. */
export interface AlertWorld {
  alice: RegisteredUser;
  phone: Peer;
  dave: Peer;
  roomId: string;
}

/** Makes the world; its peers go into `peers`, which the caller stops. */
export async function aliceAndDaveInARoom(synapse: SynapseConnection, peers: Peer[]): Promise<AlertWorld> {
  const alice = await synapse.registerUser({ displayName: 'Alice' });
  const phone = await Peer.login(synapse, alice, { deviceName: "Alice's phone" });
  const dave = await Peer.login(synapse, await synapse.registerUser({ displayName: 'Dave' }), { deviceName: "Dave's laptop" });
  peers.push(phone, dave);
  await Promise.all([phone.bootstrapCrossSigning(), dave.bootstrapCrossSigning()]);
  const roomId = await phone.shareRoomWith(dave);
  return { alice, phone, dave, roomId };
}
