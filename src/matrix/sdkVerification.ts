import {
  CryptoEvent,
  type ShowSasCallbacks,
  type VerificationRequest,
  VerificationPhase,
  VerificationRequestEvent,
  type Verifier,
  VerifierEvent,
} from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { Verification } from '../background/ports/verification';
import { UserFacingError } from '../errors';
import type { VerificationView } from '../messaging/protocol';
import type { MatrixSession } from './matrixSession';
import { t } from '../text/i18n';

/** Why a verification was cancelled, in words; functions, so each is looked up when shown. */
const CANCEL_REASONS: Record<string, () => string> = {
  'm.user': () => t('verifyCancelledByUser'),
  'm.timeout': () => t('verifyCancelledTimeout'),
  'm.mismatched_sas': () => t('verifyCancelledMismatch'),
  'm.key_mismatch': () => t('verifyCancelledKeyMismatch'),
  'm.user_mismatch': () => t('verifyCancelledUserMismatch'),
  'm.accepted': () => t('verifyCancelledAcceptedElsewhere'),
};

/**
 * One interactive (emoji) verification at a time over matrix-js-sdk's verification requests.
 * Its state lives here, in the background, so a popup that closes and opens again finds it.
 */
export class SdkVerification implements Verification {
  private request: VerificationRequest | undefined;
  private verifier: Verifier | undefined;
  private sas: ShowSasCallbacks | undefined;
  private view: VerificationView = { phase: 'none' };
  private readonly onIncoming = (request: VerificationRequest) => this.adopt(request);

  constructor(
    private readonly session: MatrixSession,
    private readonly onChange: (view: VerificationView) => void,
  ) {
    session.client.on(CryptoEvent.VerificationRequestReceived, this.onIncoming);
  }

  get current(): VerificationView {
    return this.view;
  }

  /** Starts verifying this extension with another of the account's devices, or another user (one device, or in a DM). */
  async start(target: { userId?: string; deviceId?: string }): Promise<VerificationView> {
    const { crypto, client, userId: ownUserId } = this.session;
    const userId = target.userId ?? ownUserId;
    let request: VerificationRequest;
    if (target.deviceId !== undefined) request = await crypto.requestDeviceVerification(userId, target.deviceId);
    else if (userId === ownUserId) request = await crypto.requestOwnUserVerification();
    else {
      const dm = client
        .getRooms()
        .find(
          (room) => room.getMyMembership() === 'join' && room.getJoinedMemberCount() === 2 && room.getMember(userId)?.membership === 'join',
        );
      if (!dm) throw new UserFacingError(t('errVerifyNeedsDm'));
      request = await crypto.requestVerificationDM(userId, dm.roomId);
    }
    this.adopt(request, true);
    return this.view;
  }

  async accept(): Promise<VerificationView> {
    const request = this.requireRequest();
    if (request.phase !== VerificationPhase.Requested || request.initiatedByMe) throw new UserFacingError(t('errVerifyNoRequest'));
    await request.accept();
    return this.view;
  }

  /** The user compared the emoji and they match. */
  async confirm(): Promise<VerificationView> {
    const sas = this.sas;
    if (!sas || this.view.phase !== 'emoji') throw new UserFacingError(t('errVerifyNoEmojiToConfirm'));
    this.show({ phase: 'confirmed', otherUserId: this.view.otherUserId });
    await sas.confirm();
    return this.view;
  }

  /** The emoji differ: stop, and tell the other side why. */
  mismatch(): VerificationView {
    if (!this.sas) throw new UserFacingError(t('errVerifyNoEmojiToCompare'));
    this.sas.mismatch();
    return this.view;
  }

  async cancel(): Promise<VerificationView> {
    const request = this.request;
    if (request && request.phase !== VerificationPhase.Done && request.phase !== VerificationPhase.Cancelled) await request.cancel();
    else this.reset();
    return this.view;
  }

  /** Forgets a finished verification, so the popup goes back to its status. */
  dismiss(): VerificationView {
    if (this.view.phase === 'done' || this.view.phase === 'cancelled') this.reset();
    return this.view;
  }

  stop(): void {
    this.session.client.off(CryptoEvent.VerificationRequestReceived, this.onIncoming);
    this.request?.off(VerificationRequestEvent.Change, this.update);
  }

  /** Follows `request`; an incoming one while another is running is left for later. */
  private adopt(request: VerificationRequest, ours = false): void {
    const busy = this.request && this.request.phase !== VerificationPhase.Done && this.request.phase !== VerificationPhase.Cancelled;
    if (busy && !ours) return;
    this.request?.off(VerificationRequestEvent.Change, this.update);
    this.request = request;
    this.verifier = undefined;
    this.sas = undefined;
    request.on(VerificationRequestEvent.Change, this.update);
    this.update();
  }

  private readonly update = (): void => {
    const request = this.request;
    if (!request) return;
    const otherUserId = request.otherUserId;
    const otherDeviceId = request.otherDeviceId;
    switch (request.phase) {
      case VerificationPhase.Unsent:
      case VerificationPhase.Requested:
        this.show(
          request.initiatedByMe ? { phase: 'requested', otherUserId, otherDeviceId } : { phase: 'incoming', otherUserId, otherDeviceId },
        );
        return;
      case VerificationPhase.Ready:
        this.show({ phase: 'starting', otherUserId });
        // The side that asked starts the emoji comparison once the other side accepted.
        if (request.initiatedByMe && !this.verifier) void request.startVerification('m.sas.v1').then((verifier) => this.follow(verifier));
        return;
      case VerificationPhase.Started:
        if (request.verifier && !this.verifier) this.follow(request.verifier);
        return;
      case VerificationPhase.Done:
        this.sas = undefined;
        this.show({ phase: 'done', otherUserId });
        return;
      case VerificationPhase.Cancelled:
        this.sas = undefined;
        this.show({
          phase: 'cancelled',
          otherUserId,
          reason: CANCEL_REASONS[request.cancellationCode ?? '']?.() ?? t('verifyCancelledOther'),
        });
        return;
    }
  };

  private follow(verifier: Verifier): void {
    if (this.verifier) return;
    this.verifier = verifier;
    verifier.on(VerifierEvent.ShowSas, (sas) => {
      this.sas = sas;
      const emoji = (sas.sas.emoji ?? []).map(([symbol, name]): [string, string] => [symbol, name]);
      this.show({ phase: 'emoji', otherUserId: verifier.userId, emoji });
    });
    // verify() settles when the verification ends; the request's phase says how.
    verifier.verify().catch(() => undefined);
  }

  private requireRequest(): VerificationRequest {
    if (!this.request) throw new UserFacingError(t('errVerifyNone'));
    return this.request;
  }

  private reset(): void {
    this.request?.off(VerificationRequestEvent.Change, this.update);
    this.request = undefined;
    this.verifier = undefined;
    this.sas = undefined;
    this.show({ phase: 'none' });
  }

  private show(view: VerificationView): void {
    this.view = view;
    this.onChange(view);
  }
}
