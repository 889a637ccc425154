/**
 * How what the user typed is read and shown. NFKC (full-width digits and letters to half-width) applies to IDs, digits,
 * e-mail, phone numbers and postal codes only, as in the API; free text (案件, addresses, company names) is shown and
 * sent as typed.
 */
export function normalize(value: string): string {
  return value.normalize('NFKC').trim();
}

/** The digits of a phone number or postal code as typed: NFKC, without hyphens (any dash), spaces or parentheses. */
export function digitsOf(value: string): string {
  return normalize(value).replace(/^〒/, '').replace(/[-‐－ー―\s()]/g, '');
}

/** 〒 600-8530 as the API stores it ("600-8530"), from any way of typing it (６００８５３０, 〒600-8530); as typed when not 7 digits. */
export function postalCode(typed: string): string {
  const digits = digitsOf(typed);
  return /^\d{7}$/.test(digits) ? `${digits.slice(0, 3)}-${digits.slice(3)}` : typed.trim();
}

/** フリガナ as the API stores it: hiragana become katakana (NFKC also widens half-width katakana). */
export function katakana(typed: string): string {
  return normalize(typed).replace(/[ぁ-ゖ]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/**
 * A phone number with hyphens. Grouping typed with hyphens is kept; bare digits (as the API stores them) are grouped
 * the usual way: mobile and IP 3-4-4 (090-1234-5678), free dial 0120 4-3-3, Tokyo and Osaka 2-4-4 (03-1234-5678),
 * other landlines 3-3-4 (075-344-8160). Areas whose codes have 4 or 5 digits are grouped 3-3-4 too: still readable,
 * and the digits are what count.
 */
export function phone(typed: string): string {
  const grouped = normalize(typed).replace(/[‐－ー―]/g, '-').replace(/[\s()]/g, '');
  if (/^\d+(-\d+)+$/.test(grouped)) {
    return grouped;
  }
  const digits = digitsOf(typed);
  const groups = /^0[5789]0\d{8}$/.test(digits) ? [3, 4, 4]
    : /^0120\d{6}$/.test(digits) ? [4, 3, 3]
      : /^0[36]\d{8}$/.test(digits) ? [2, 4, 4]
        : /^0\d{9}$/.test(digits) ? [3, 3, 4]
          : null;
  if (groups === null) {
    return typed.trim();
  }
  let start = 0;
  return groups.map((length) => digits.slice(start, (start += length))).join('-');
}
