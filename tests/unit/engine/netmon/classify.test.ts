import test from 'node:test';
import assert from 'node:assert/strict';
import { classifyLink } from '../../../../electron/engine/netmon/classify';
import { FakeSysfs } from './sysfs-fixture';

test('interfaces are classified from sysfs the way a user would name them', (t) => {
  const sysfs = new FakeSysfs()
    .add({ name: 'enp0s31f6', driver: 'e1000e' })
    .add({ name: 'enx00e04c680001', driver: 'r8152' }) // USB Ethernet adapter: still ethernet
    .add({ name: 'wlp2s0', driver: 'iwlwifi', wireless: 'phy80211' })
    .add({ name: 'wlan1', driver: 'ath9k_htc', wireless: 'wireless' })
    .add({ name: 'usb0', driver: 'rndis_host' })
    .add({ name: 'enx0a1b2c3d4e5f', driver: 'cdc_ether' })
    .add({ name: 'eth1', driver: 'ipheth' })
    .add({ name: 'usb1', driver: 'cdc_ncm' })
    .add({ name: 'wwp0s20f0u6i12', driver: 'qmi_wwan' })
    .add({ name: 'wwan0', driver: 'cdc_mbim' })
    .add({ name: 'wwan1', driver: 'some_new_modem' }) // unknown driver, wwan by its name
    .add({ name: 'veth1a2b', operstate: 'up' })
    .add({ name: 'br0' })
    .add({ name: 'docker0' })
    .add({ name: 'tun0' });
  t.after(() => sysfs.remove());
  const expected: Record<string, string> = {
    enp0s31f6: 'ethernet',
    enx00e04c680001: 'ethernet',
    wlp2s0: 'wifi',
    wlan1: 'wifi',
    usb0: 'usb-tether',
    enx0a1b2c3d4e5f: 'usb-tether',
    eth1: 'usb-tether',
    usb1: 'usb-tether',
    wwp0s20f0u6i12: 'wwan',
    wwan0: 'wwan',
    wwan1: 'wwan',
    veth1a2b: 'virtual',
    br0: 'virtual',
    docker0: 'virtual',
    tun0: 'virtual',
    gone0: 'unknown',
  };
  for (const [name, kind] of Object.entries(expected)) assert.equal(classifyLink(name, sysfs.net), kind, name);
});
