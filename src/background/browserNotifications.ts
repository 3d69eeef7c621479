import browser from 'webextension-polyfill';
import type { NotificationsPort } from './notifier';

/** `browser.notifications` as the notifier uses it: the basic type, which Firefox supports too. */
export const browserNotifications: NotificationsPort = {
  create: async (id, { title, message }) => {
    await browser.notifications.create(id, { type: 'basic', iconUrl: browser.runtime.getURL('/icon/128.png'), title, message });
  },
  clear: async (id) => {
    await browser.notifications.clear(id);
  },
  getAll: async () => Object.keys(await browser.notifications.getAll()),
};
