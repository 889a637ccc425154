import { en } from './en';
import { ja, type MessageKey } from './ja';

export type Language = 'ja' | 'en';
export type { MessageKey };

const storageKey = 'kpnet.language';
const catalogues: Record<Language, Record<MessageKey, string>> = { ja, en };

export function language(): Language {
  return localStorage.getItem(storageKey) === 'en' ? 'en' : 'ja';
}

export function setLanguage(value: Language): void {
  localStorage.setItem(storageKey, value);
  document.documentElement.lang = value;
}

/** The text for <paramref>key</paramref> in the chosen language, with {0}, {1}… filled from <paramref>args</paramref>. */
export function t(key: MessageKey, ...args: (string | number)[]): string {
  return catalogues[language()][key].replace(/\{(\d+)\}/g, (_, index: string) => String(args[Number(index)] ?? ''));
}

/** Dates and times as the customer reads them: Japan time. */
export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(language() === 'en' ? 'en-GB' : 'ja-JP', {
    timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).format(new Date(iso));
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(language() === 'en' ? 'en-GB' : 'ja-JP', {
    timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric',
  }).format(new Date(iso));
}
