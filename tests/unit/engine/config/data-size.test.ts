import test from 'node:test';
import assert from 'node:assert/strict';
import { formatDataSize, parseDataSize } from '../../../../electron/engine/config/data-size';

const bytes = (text: string): number => {
  const result = parseDataSize(text);
  assert.ok(result.ok, `${text}: ${!result.ok && result.reason}`);
  return result.bytes;
};
const reason = (text: string): string => {
  const result = parseDataSize(text);
  assert.ok(!result.ok, `${text} should not parse`);
  return result.reason;
};

test('SI and IEC units, any case, optional space; a plain number is bytes', () => {
  assert.equal(bytes('10GB'), 10_000_000_000);
  assert.equal(bytes('500MB'), 500_000_000);
  assert.equal(bytes('500 mb'), 500_000_000);
  assert.equal(bytes('1.5GB'), 1_500_000_000);
  assert.equal(bytes('2kB'), 2000);
  assert.equal(bytes('2KB'), 2000);
  assert.equal(bytes('1TB'), 1e12);
  assert.equal(bytes('1PB'), 1e15);
  assert.equal(bytes('10GiB'), 10 * 2 ** 30);
  assert.equal(bytes('10Gi'), 10 * 2 ** 30);
  assert.equal(bytes('1.5 MiB'), 1.5 * 2 ** 20);
  assert.equal(bytes('3KiB'), 3072);
  assert.equal(bytes('1TiB'), 2 ** 40);
  assert.equal(bytes('12345'), 12345);
  assert.equal(bytes('12345B'), 12345);
  assert.equal(bytes(' 7 GB '), 7e9);
  assert.equal(bytes('.5GB'), 5e8);
  assert.equal(bytes('+1GB'), 1e9);
  assert.equal(bytes('1.1KiB'), 1126); // rounded to a whole byte
});

test('clear errors', () => {
  assert.equal(reason(''), 'is empty: give a size like "10GB" or "500MB"');
  assert.equal(reason('lots'), '"lots" is not a size like "10GB" or "500MB"');
  assert.equal(reason('10XB'), 'unknown unit "XB": use B, kB, MB, GB, TB or KiB, MiB, GiB, TiB');
  assert.equal(reason('10G'), 'unit "G" is ambiguous: write GB (powers of 1000) or GiB (powers of 1024)');
  assert.equal(reason('10k'), 'unit "k" is ambiguous: write kB (powers of 1000) or KiB (powers of 1024)');
  assert.equal(reason('0GB'), 'must be more than 0 bytes');
  assert.equal(reason('-5GB'), 'must be more than 0 bytes');
  assert.equal(reason('1.5'), 'a number of bytes must be a whole number');
  assert.equal(reason('1e9'), '"1e9" is not a size like "10GB" or "500MB"');
  assert.equal(reason('10 G B'), '"10 G B" is not a size like "10GB" or "500MB"');
  assert.equal(reason('1,5GB'), '"1,5GB" is not a size like "10GB" or "500MB"');
  assert.equal(reason('99999PB'), 'is too large');
  assert.match(reason('x'.repeat(100)), /^"x{20}…" is not a size/);
  assert.match(reason(`1${'x'.repeat(100)}`), /^unknown unit "x{20}…"/);
});

test('formatting in decimal units, three significant digits, and it parses back', () => {
  assert.equal(formatDataSize(0), '0 B');
  assert.equal(formatDataSize(999), '999 B');
  assert.equal(formatDataSize(1000), '1.00 kB');
  assert.equal(formatDataSize(10e9), '10.0 GB');
  assert.equal(formatDataSize(3_204_000_000), '3.20 GB');
  assert.equal(formatDataSize(512e6), '512 MB');
  assert.equal(formatDataSize(999_600), '1.00 MB'); // not "1000 kB"
  assert.equal(formatDataSize(2e15), '2.00 PB');
  assert.equal(formatDataSize(-1), '0 B');
  assert.equal(formatDataSize(Number.NaN), '0 B');
  for (const n of [1, 999, 1000, 12_345, 9_995_000, 5e9, 123e12]) {
    const back = bytes(formatDataSize(n));
    assert.ok(Math.abs(back - n) / n < 0.005, `${n} -> ${formatDataSize(n)} -> ${back}`);
  }
});
