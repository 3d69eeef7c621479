/** What it takes to be this extension's Matrix device again after any restart. */
export interface AccountCredentials {
  homeserverUrl: string;
  userId: string;
  deviceId: string;
  accessToken: string;
}
