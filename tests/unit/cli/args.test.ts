import test from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand, UsageError, USAGE } from '../../../electron/cli/args';

function usageError(argv: string[]): UsageError {
  try {
    parseCommand(argv);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error;
  }
  assert.fail(`expected a usage error for ${argv.join(' ')}`);
}

test('commands and their options', () => {
  assert.deepEqual(parseCommand(['status']), { kind: 'status', json: false, watch: false, socket: undefined });
  assert.deepEqual(parseCommand(['status', '--json', '--socket', '/tmp/s.sock']), { kind: 'status', json: true, watch: false, socket: '/tmp/s.sock' });
  assert.deepEqual(parseCommand(['status', '--socket=/x', '--watch']), { kind: 'status', json: false, watch: true, socket: '/x' });
  assert.deepEqual(parseCommand(['connect']), { kind: 'connect', wait: false, timeoutS: 30, socket: undefined });
  assert.deepEqual(parseCommand(['connect', '--wait', '--timeout', '2.5']), { kind: 'connect', wait: true, timeoutS: 2.5, socket: undefined });
  assert.deepEqual(parseCommand(['disconnect', '--socket', '/s']), { kind: 'disconnect', wait: false, timeoutS: 30, socket: '/s' });
  assert.deepEqual(parseCommand(['link', 'wlan0', 'backup']), { kind: 'link', name: 'wlan0', mode: 'backup', socket: undefined });
  assert.deepEqual(parseCommand(['link', '--socket', '/s', 'eth0', 'off']), { kind: 'link', name: 'eth0', mode: 'off', socket: '/s' });
  assert.deepEqual(parseCommand(['keygen']), { kind: 'keygen', secretFile: undefined });
  assert.deepEqual(parseCommand(['keygen', '--secret-file', '/etc/braid/k']), { kind: 'keygen', secretFile: '/etc/braid/k' });
  assert.deepEqual(parseCommand(['pubkey']), { kind: 'pubkey', secretFile: undefined });
  assert.deepEqual(parseCommand(['engine']), { kind: 'engine', config: '/etc/braid/client.json', socket: undefined, stateDir: undefined });
  assert.deepEqual(parseCommand(['engine', '--config', 'c.json', '--socket', '/s', '--state-dir', '/d']), {
    kind: 'engine',
    config: 'c.json',
    socket: '/s',
    stateDir: '/d',
  });
  assert.deepEqual(parseCommand(['server', '--config', 's.json']), { kind: 'server', config: 's.json', socket: undefined });
  assert.deepEqual(parseCommand(['server']), { kind: 'server', config: '/etc/braid/server.json', socket: undefined });
});

test('help and version everywhere', () => {
  assert.deepEqual(parseCommand(['--help']), { kind: 'help' });
  assert.deepEqual(parseCommand(['-h']), { kind: 'help' });
  assert.deepEqual(parseCommand(['help']), { kind: 'help', topic: undefined });
  assert.deepEqual(parseCommand(['help', 'link']), { kind: 'help', topic: 'link' });
  assert.deepEqual(parseCommand(['--version']), { kind: 'version' });
  for (const command of ['status', 'connect', 'disconnect', 'links', 'link', 'cap', 'keygen', 'pubkey', 'engine', 'server']) {
    assert.deepEqual(parseCommand([command, '--help']), { kind: 'help', topic: command });
    assert.ok(USAGE[command]!.startsWith(`usage: braid ${command}`), command);
  }
  // --help wins over otherwise broken arguments
  assert.deepEqual(parseCommand(['link', 'x', '--help']), { kind: 'help', topic: 'link' });
});

test('usage errors name the problem and the command', () => {
  const cases: Array<[string[], string, string | undefined]> = [
    [[], 'missing command', undefined],
    [['stauts'], 'unknown command "stauts"', undefined],
    [['braid'], 'unknown command "braid"', undefined],
    [['--json'], 'unknown option --json (options go after the command)', undefined],
    [['help', 'nope'], 'unknown command "nope"', undefined],
    [['status', '--jsn'], "Unknown option '--jsn'", 'status'],
    [['status', 'extra'], 'unexpected argument "extra"', 'status'],
    [['status', '--socket'], "Option '--socket <value>' argument missing", 'status'],
    [['status', '--socket', ''], '--socket needs a value', 'status'],
    [['connect', '--timeout', '5'], '--timeout only makes sense with --wait', 'connect'],
    [['connect', '--wait', '--timeout', 'soon'], '--timeout must be a positive number of seconds', 'connect'],
    [['connect', '--wait', '--timeout', '0'], '--timeout must be a positive number of seconds', 'connect'],
    [['link', 'eth0'], 'expected 2 arguments, got 1', 'link'],
    [['link', 'eth0', 'sideways'], 'mode must be on, backup or off (not "sideways")', 'link'],
    [['link', 'eth0', 'on', 'now'], 'expected 2 arguments, got 3', 'link'],
    [['keygen', '--secret'], "Unknown option '--secret'", 'keygen'],
    [['engine', '--config'], "Option '--config <value>' argument missing", 'engine'],
  ];
  for (const [argv, message, command] of cases) {
    const error = usageError(argv);
    assert.equal(error.message, message, argv.join(' '));
    assert.equal(error.command, command, argv.join(' '));
  }
});

test('links and cap', () => {
  assert.deepEqual(parseCommand(['links']), { kind: 'links', json: false, socket: undefined });
  assert.deepEqual(parseCommand(['links', '--json', '--socket', '/s']), { kind: 'links', json: true, socket: '/s' });
  assert.deepEqual(parseCommand(['cap', 'wwan0', '10GB']), { kind: 'cap', name: 'wwan0', cap: { bytes: 10e9 }, socket: undefined });
  assert.deepEqual(parseCommand(['cap', 'wwan0', '500MB', '--billing-day', '5', '--action', 'backup']), {
    kind: 'cap',
    name: 'wwan0',
    cap: { bytes: 500e6, billingDay: 5, action: 'backup' },
    socket: undefined,
  });
  assert.deepEqual(parseCommand(['cap', '--billing-day=28', 'usb0', '1.5GiB']), { kind: 'cap', name: 'usb0', cap: { bytes: 1.5 * 2 ** 30, billingDay: 28 }, socket: undefined });
  assert.deepEqual(parseCommand(['cap', 'wwan0', 'off']), { kind: 'cap', name: 'wwan0', cap: null, socket: undefined });
  assert.deepEqual(parseCommand(['cap', 'wwan0', 'OFF', '--socket', '/s']), { kind: 'cap', name: 'wwan0', cap: null, socket: '/s' });
  assert.deepEqual(parseCommand(['cap', 'x', '--help']), { kind: 'help', topic: 'cap' });

  const cases: Array<[string[], string]> = [
    [['links', 'eth0'], 'unexpected argument "eth0"'],
    [['cap', 'wwan0'], 'expected 2 arguments, got 1'],
    [['cap', 'wwan0', '10GB', 'now'], 'expected 2 arguments, got 3'],
    [['cap', 'wwan0', '10G'], 'size: unit "G" is ambiguous: write GB (powers of 1000) or GiB (powers of 1024)'],
    [['cap', 'wwan0', 'lots'], 'size: "lots" is not a size like "10GB" or "500MB"'],
    [['cap', 'wwan0', '0GB'], 'size: must be more than 0 bytes'],
    [['cap', 'wwan0', '10GB', '--billing-day', '29'], '--billing-day must be a day of the month from 1 to 28'],
    [['cap', 'wwan0', '10GB', '--billing-day', '0'], '--billing-day must be a day of the month from 1 to 28'],
    [['cap', 'wwan0', '10GB', '--billing-day', '5th'], '--billing-day must be a day of the month from 1 to 28'],
    [['cap', 'wwan0', '10GB', '--billing-day', '1.5'], '--billing-day must be a day of the month from 1 to 28'],
    [['cap', 'wwan0', '10GB', '--action', 'throttle'], '--action must be off or backup (not "throttle")'],
    [['cap', 'wwan0', 'off', '--billing-day', '5'], '--billing-day and --action go with a size, not with "off"'],
    [['cap', 'wwan0', 'off', '--action', 'backup'], '--billing-day and --action go with a size, not with "off"'],
    [['cap', 'wwan0', '10GB', '--action'], "Option '--action <value>' argument missing"],
  ];
  for (const [argv, message] of cases) {
    const error = usageError(argv);
    assert.equal(error.message, message, argv.join(' '));
    assert.equal(error.command, argv[0], argv.join(' '));
  }
});
