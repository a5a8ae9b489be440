import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ConfigError, parseClientConfig } from '../../../../electron/engine/config';

const key = (): string => crypto.randomBytes(32).toString('base64');
const SERVER_PUB = key();
const DEVICE_SECRET = key();

function withLinks(links: unknown[]): Record<string, unknown> {
  return { server: { host: '203.0.113.7', publicKey: SERVER_PUB }, device: { secretKey: DEVICE_SECRET }, links };
}

function problems(links: unknown[]): string[] {
  try {
    parseClientConfig(withLinks(links), 'client.json');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('links[].cap: a size in bytes or as text; billing day 1 and action off by default', () => {
  const config = parseClientConfig(
    withLinks([
      { name: 'eth0', mode: 'on' },
      { name: 'wwan0', mode: 'backup', cap: { bytes: '10GB', billingDay: 5, action: 'backup' } },
      { name: 'usb0', mode: 'backup', cap: { bytes: 500_000_000 } },
      { name: 'wwan1', mode: 'backup', cap: { bytes: '1.5 GiB' } },
    ]),
    'client.json',
  );
  assert.equal(config.links[0]!.cap, undefined);
  assert.deepEqual(config.links[1]!.cap, { bytes: 10e9, billingDay: 5, action: 'backup' });
  assert.deepEqual(config.links[2]!.cap, { bytes: 5e8, billingDay: 1, action: 'off' });
  assert.deepEqual(config.links[3]!.cap, { bytes: 1.5 * 2 ** 30, billingDay: 1, action: 'off' });
});

test('links[].cap errors name the field and the problem', () => {
  const cap = (value: unknown) => [{ name: 'wwan0', mode: 'on', cap: value }];
  assert.deepEqual(problems(cap({ bytes: '10XB' })), ['links[0].cap.bytes: unknown unit "XB": use B, kB, MB, GB, TB or KiB, MiB, GiB, TiB']);
  assert.deepEqual(problems(cap({ bytes: '10G' })), ['links[0].cap.bytes: unit "G" is ambiguous: write GB (powers of 1000) or GiB (powers of 1024)']);
  assert.deepEqual(problems(cap({ bytes: 0 })), ['links[0].cap.bytes: must be a whole number of bytes above 0, or a size like "10GB"']);
  assert.deepEqual(problems(cap({ bytes: 1.5 })), ['links[0].cap.bytes: must be a whole number of bytes above 0, or a size like "10GB"']);
  assert.deepEqual(problems(cap({ bytes: '-1GB' })), ['links[0].cap.bytes: must be more than 0 bytes']);
  assert.deepEqual(problems(cap({})), ['links[0].cap.bytes: is required: a number of bytes or a size like "10GB"']);
  assert.deepEqual(problems(cap({ bytes: true })), ['links[0].cap.bytes: must be a whole number of bytes above 0, or a size like "10GB"']);
  assert.deepEqual(problems(cap({ bytes: '1GB', billingDay: 29 })), ['links[0].cap.billingDay: must be at most 28']);
  assert.deepEqual(problems(cap({ bytes: '1GB', billingDay: 0 })), ['links[0].cap.billingDay: must be at least 1']);
  assert.deepEqual(problems(cap({ bytes: '1GB', billingDay: 2.5 })), ['links[0].cap.billingDay: must be a whole number']);
  assert.deepEqual(problems(cap({ bytes: '1GB', action: 'throttle' })), ['links[0].cap.action: must be one of "off", "backup"']);
  assert.deepEqual(problems(cap({ bytes: '1GB', billingday: 3 })), ['links[0].cap.billingday: unknown key (did you mean "billingDay"?)']);
  assert.deepEqual(problems(cap('10GB')), ['links[0].cap: must be an object']);
});
