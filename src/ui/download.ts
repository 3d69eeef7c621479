/** Hands `text` to the browser as a file download (a Blob link), named `name`. Only on a user's click. */
export function downloadText(text: string, type: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

/** Today's date for a file name (2026-11-23). */
export function fileDate(): string {
  return new Date().toISOString().slice(0, 10);
}
