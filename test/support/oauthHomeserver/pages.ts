/** Plain HTML, no scripts: Playwright clicks the labelled controls, a Node test posts the forms. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>`;
}

export function loginPage(action: string, error?: string): string {
  return page(
    'Sign in',
    `${error ? `<p id="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form id="login-form" method="post" action="${escapeHtml(action)}">
  <label for="username">Username</label> <input id="username" name="username" autocomplete="username">
  <label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password">
  <button id="sign-in" type="submit">Sign in</button>
</form>`,
  );
}

/** oidc-provider's device pages hand over a form (with its CSRF field) for us to wrap. */
export function deviceCodePage(form: string, error?: string): string {
  return page(
    'Connect a device',
    `${error ? `<p id="error" role="alert">${escapeHtml(error)}</p>` : ''}
${form.replace('<input\n', '<input id="user-code" aria-label="Code"\n')}
<button id="submit-code" type="submit" form="op.deviceInputForm">Continue</button>`,
  );
}

export function deviceConfirmPage(form: string, clientName: string, userCode: string): string {
  return page(
    'Confirm the device',
    `<p><strong id="client-name">${escapeHtml(clientName)}</strong> shows the code <code id="user-code">${escapeHtml(userCode)}</code>.</p>
${form}
<button id="confirm-device" type="submit" form="op.deviceConfirmForm">Allow</button>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<p id="message">${escapeHtml(message)}</p>`);
}

export function deviceDeletePage(action: string, deviceId: string, known: boolean): string {
  if (!known) return messagePage('Unknown device', `No device ${deviceId} is signed in to this account.`);
  return page(
    'Sign out a device',
    `<p>Device <code id="device-id">${escapeHtml(deviceId)}</code></p>
<form id="device-delete-form" method="post" action="${escapeHtml(action)}">
  <input type="hidden" name="device_id" value="${escapeHtml(deviceId)}">
  <button id="sign-out-device" type="submit">Sign out this device</button>
</form>`,
  );
}

export function crossSigningResetPage(action: string): string {
  return page(
    'Reset your identity',
    `<p>Allow this account's cross-signing keys to be replaced for the next 10 minutes.</p>
<form id="cross-signing-reset-form" method="post" action="${escapeHtml(action)}">
  <button id="allow-cross-signing-reset" type="submit">Allow reset</button>
</form>`,
  );
}
