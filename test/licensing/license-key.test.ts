// License key format: groups, alphabet, randomness, checksum and normalization.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  generateLicenseKey,
  hasValidChecksum,
  licenseKeyHash,
  licenseKeyPrefix,
  normalizeLicenseKey,
} from '../../src/licensing/licenses/license-key.js';

describe('license keys', () => {
  it('are five groups of five Crockford base32 characters with a valid checksum', () => {
    for (let i = 0; i < 200; i++) {
      const key = generateLicenseKey();
      assert.match(key, /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$/);
      assert.ok(hasValidChecksum(key));
    }
  });

  it('do not repeat across 10,000 draws', () => {
    const keys = new Set(Array.from({ length: 10_000 }, generateLicenseKey));
    assert.equal(keys.size, 10_000);
  });

  it('use every character of the alphabet in every data position over many draws', () => {
    const seen = Array.from({ length: 20 }, () => new Set<string>());
    for (let i = 0; i < 4000; i++) {
      const data = generateLicenseKey().replace(/-/g, '').slice(0, 20);
      for (let position = 0; position < 20; position++) seen[position]?.add(data.charAt(position));
    }
    assert.ok(seen.every((characters) => characters.size === 32));
  });

  it('a single changed character fails the checksum', () => {
    const key = generateLicenseKey();
    let caught = 0;
    for (let position = 0; position < key.length; position++) {
      if (key[position] === '-') continue;
      const replacement = key[position] === 'A' ? 'B' : 'A';
      const typo = key.slice(0, position) + replacement + key.slice(position + 1);
      if (!hasValidChecksum(typo)) caught++;
    }
    assert.equal(caught, 25);
  });

  it('normalize case, spaces and Crockford look-alikes to one hash', () => {
    const key = generateLicenseKey();
    const typed = ` ${key.toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l')} `;
    assert.equal(normalizeLicenseKey(typed), key);
    assert.equal(licenseKeyHash(normalizeLicenseKey(typed)), licenseKeyHash(key));
    assert.equal(licenseKeyPrefix(key), key.slice(0, 5));
  });

  it('vendor-supplied keys of another shape pass the checksum and keep their form', () => {
    assert.equal(normalizeLicenseKey(' legacy-key-001 '), 'LEGACY-KEY-001');
    assert.ok(hasValidChecksum('LEGACY-KEY-001'));
  });
});
