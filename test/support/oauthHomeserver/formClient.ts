/**
 * A browser without scripts, for driving the stand-in's pages from Node: fetch with a cookie
 * jar, redirects followed by hand, forms read from the HTML and posted with their fields.
 */
export class FormClient {
  /** Cookies by name; paths and expiry are ignored, every page here is on one origin. */
  private readonly cookies = new Map<string, string>();

  /** Follows redirects until `done(url)` or a page that is not a redirect; returns the URL and body. */
  async navigate(url: string, init: { method?: string; form?: URLSearchParams } = {}, done: (url: string) => boolean = () => false) {
    let current = url;
    let method = init.method ?? 'GET';
    let body: URLSearchParams | undefined = init.form;
    for (let hops = 0; hops < 20; hops++) {
      if (done(current)) return { url: current, html: '' };
      const response = await fetch(current, {
        method,
        redirect: 'manual',
        headers: {
          Cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
          ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
        },
        body,
      });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair = ''] = cookie.split(';');
        const separator = pair.indexOf('=');
        const [name, value] = [pair.slice(0, separator).trim(), pair.slice(separator + 1)];
        if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        current = new URL(location, current).href;
        method = 'GET';
        body = undefined;
        continue;
      }
      const html = await response.text();
      if (!response.ok) throw new Error(`${new URL(current).pathname} answered ${response.status}: ${html.slice(0, 500)}`);
      return { url: current, html };
    }
    throw new Error(`Too many redirects from ${url}`);
  }

  /** Submits the form `formId` found in `html` (at `pageUrl`), its fields overridden by `fields`. */
  submit(pageUrl: string, html: string, formId: string, fields: Record<string, string> = {}, done?: (url: string) => boolean) {
    const form = new RegExp(`<form[^>]*id="${formId.replace(/\./g, '\\.')}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
    if (!form) throw new Error(`No form ${formId} on ${new URL(pageUrl).pathname}: ${html.slice(0, 500)}`);
    const action = /action="([^"]*)"/.exec(form[0])?.[1] ?? pageUrl;
    const data = new URLSearchParams();
    for (const input of form[1]?.match(/<input[^>]*>/g) ?? []) {
      const name = /name="([^"]*)"/.exec(input)?.[1];
      if (name) data.set(name, decodeEntities(/value="([^"]*)"/.exec(input)?.[1] ?? ''));
    }
    for (const [name, value] of Object.entries(fields)) data.set(name, value);
    return this.navigate(new URL(decodeEntities(action), pageUrl).href, { method: 'POST', form: data }, done);
  }
}

function decodeEntities(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
}
