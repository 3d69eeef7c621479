import browser from 'webextension-polyfill';

/**
 * Opens the extension's own review of a room in a tab (`popup.html#room=<id>`), where warnings
 * can be acknowledged; without a room, the popup's overview. The in-page banner's Review and a
 * clicked notification both land here.
 */
export async function openRoomReview(roomId: string | undefined): Promise<void> {
  const popup = browser.runtime.getURL('/popup.html');
  await browser.tabs.create({ url: roomId === undefined ? popup : `${popup}#room=${encodeURIComponent(roomId)}` });
}
