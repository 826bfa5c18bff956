import { getDomain } from 'tldts';
import freeMailDomains from 'email-providers/all.json' with { type: 'json' };
import disposableDomains from 'disposable-email-domains-js/dist/dict/disposable_email_blocklist.json' with { type: 'json' };
import { remembered } from '../remembered.js';

/**
 * Registrable domains (the part a company buys, per the Public Suffix List) and the personal
 * domains that must never be used to match: free mail and disposable addresses.
 */

const personalDomains: ReadonlySet<string> = new Set<string>([
  ...(freeMailDomains as string[]),
  ...(disposableDomains as string[]),
]);

/**
 * Private suffixes (github.io, wixsite.com…) count, so two sites on one host are two registrants.
 * Callers pass a bare host, so tldts need not look for one in a URL.
 */
const PSL_OPTIONS = { allowPrivateDomains: true, extractHostname: false, mixedInputs: false } as const;

function registrable(host: string): string | null {
  const cleaned = host.trim().toLowerCase().replace(/\.+$/, '');
  if (cleaned === '') return null;
  const domain = getDomain(cleaned, PSL_OPTIONS);
  return domain === null || domain === '' ? null : domain;
}

/** `https://www.acme.com.au/contact` or `acme.com.au` → `acme.com.au`; null when it is no web address. */
export function websiteDomain(website: string | null | undefined): string | null {
  if (typeof website !== 'string') return null;
  let text = website.trim().toLowerCase();
  if (text === '' || text.includes('@') || /\s/.test(text)) return null;
  text = text.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/^\/\//, '');
  const host = text.split(/[/?#]/, 1)[0] ?? '';
  return registrable(host.replace(/:\d+$/, ''));
}

/** @internal True for free-mail and disposable domains (gmail.com, yahoo.co.uk, mailinator.com…); the tests read the lists through it. */
export function isPersonalDomain(domain: string | null | undefined): boolean {
  if (typeof domain !== 'string' || domain === '') return false;
  const lower = domain.trim().toLowerCase();
  if (personalDomains.has(lower)) return true;
  const base = registrable(lower);
  return base !== null && personalDomains.has(base);
}

/** Answers of `companyEmailDomain` by what follows the @: a company's leads share it. */
const rememberedDomain = remembered(companyDomainOf);

/** The registrable domain of an email address, unless it is personal: the only kind matching may use. */
export function companyEmailDomain(email: string | null | undefined): string | null {
  if (typeof email !== 'string') return null;
  const at = email.lastIndexOf('@');
  return at < 1 ? null : rememberedDomain(email.slice(at + 1));
}

/** `companyEmailDomain` of the part of an address after its @. */
function companyDomainOf(typed: string): string | null {
  const domain = registrable(typed.replace(/[>\s].*$/, ''));
  if (domain === null || personalDomains.has(domain)) return null;
  // Some disposable services hand out subdomains of an ordinary domain: check the host as typed too.
  const host = typed.trim().toLowerCase();
  return host !== domain && personalDomains.has(host) ? null : domain;
}

/** The registrable domain of a website, unless it is a personal (free-mail or disposable) domain. */
export function companyWebsiteDomain(website: string | null | undefined): string | null {
  const domain = websiteDomain(website);
  return domain === null || personalDomains.has(domain) ? null : domain;
}
