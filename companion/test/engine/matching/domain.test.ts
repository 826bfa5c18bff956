import { describe, expect, it } from 'vitest';
import {
  companyEmailDomain,
  companyWebsiteDomain,
  isPersonalDomain,
  websiteDomain,
} from '../../../src/engine/matching/domain.js';

describe('registrable domains', () => {
  it('reduces an email address to the domain the company registered, across multi-part suffixes', () => {
    expect(companyEmailDomain('jane@acme.co.uk')).toBe('acme.co.uk');
    expect(companyEmailDomain('Jane.Doe@Mail.Sales.ACME.co.uk')).toBe('acme.co.uk');
    expect(companyEmailDomain('bob@shop.example.com.au')).toBe('example.com.au');
    expect(companyEmailDomain('ops@acme.com')).toBe('acme.com');
  });

  it('gives no domain for text that is not an address', () => {
    expect(companyEmailDomain('no-at-sign')).toBeNull();
    expect(companyEmailDomain('@acme.com')).toBeNull();
    expect(companyEmailDomain('x@localhost')).toBeNull();
    expect(companyEmailDomain(null)).toBeNull();
  });

  it('reads websites with or without scheme, www, port, path and query', () => {
    expect(websiteDomain('https://www.acme.co.uk/contact?x=1')).toBe('acme.co.uk');
    expect(websiteDomain('acme.com.au')).toBe('acme.com.au');
    expect(websiteDomain('HTTP://Blog.Acme.com:8080/')).toBe('acme.com');
    expect(websiteDomain('www.acme.com')).toBe('acme.com');
    expect(websiteDomain('not a website')).toBeNull();
    expect(websiteDomain('')).toBeNull();
  });

  it('keeps two sites on one hosting platform apart', () => {
    expect(websiteDomain('https://acme.github.io')).not.toBe(websiteDomain('https://other.github.io'));
  });
});

describe('personal domains', () => {
  it('knows free mail and disposable domains, including country variants', () => {
    for (const domain of [
      'gmail.com',
      'yahoo.co.uk',
      'hotmail.co.uk',
      'gmx.de',
      'outlook.com',
      'mailinator.com',
    ]) {
      expect(isPersonalDomain(domain), domain).toBe(true);
    }
    expect(isPersonalDomain('acme.com')).toBe(false);
    expect(isPersonalDomain('umich.edu')).toBe(false);
  });

  it('refuses personal domains as company evidence', () => {
    expect(companyEmailDomain('jane@gmail.com')).toBeNull();
    expect(companyEmailDomain('jane@yahoo.co.uk')).toBeNull();
    expect(companyEmailDomain('temp@mailinator.com')).toBeNull();
    expect(companyWebsiteDomain('https://mail.google.com')).toBe('google.com');
    expect(companyWebsiteDomain('gmail.com')).toBeNull();
    expect(companyEmailDomain('jane@acme.co.uk')).toBe('acme.co.uk');
  });
});
