/**
 * Whether the page in a tab looks like a Matrix web client, for the popup's "watch this site"
 * suggestion. It runs inside that page (scripting.executeScript, with the activeTab grant the
 * user's click on the toolbar gives), so it must be self-contained: no imports, no closures.
 * It only reads the DOM and answers a boolean; nothing from the page comes back.
 */
export function looksLikeMatrixClient(): boolean {
  const has = (selector: string) => document.querySelector(selector) !== null;
  const element = has('#matrixchat, .mx_MatrixChat, .mx_MatrixChat_wrapper');
  const hydrogen = has('.hydrogen, .SessionView, .RoomView_body');
  const cinny = has('.cinny, [class*="cinny"], #root [data-user-id]') || /cinny/i.test(document.title);
  const namedElement = /\belement\b/i.test(document.querySelector('meta[name="application-name"]')?.getAttribute('content') ?? '');
  return element || hydrogen || cinny || namedElement;
}
