/** The URLs a rendered body may carry: links to http(s), mailto or relative targets, images from http(s) only. */

/** Characters browsers drop or ignore inside a URL's scheme (`java\tscript:`), removed before the scheme is read. */
const IGNORED = /[\u0000-\u0020\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff]/g;

function scheme(url: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(url.replace(IGNORED, ''));
  return m ? m[1]!.toLowerCase() : undefined;
}

/** The link target when it is http, https, mailto or relative (no scheme), else undefined (javascript:, data:, ...). */
export function safeHref(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const value = url.trim();
  if (!value) return undefined;
  const s = scheme(value);
  return s === undefined || s === 'http' || s === 'https' || s === 'mailto' ? value : undefined;
}

/** The image source when it is an absolute http(s) URL, else undefined. */
export function safeImageSrc(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const value = url.trim();
  const s = scheme(value);
  return s === 'http' || s === 'https' ? value : undefined;
}
