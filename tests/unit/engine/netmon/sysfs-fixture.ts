// Builds fake /sys/class/net trees in a temp dir, shaped like the kernel's: a `device` symlink
// to the bus device whose `driver` symlink names the driver; wireless links carry phy80211.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface FakeLink {
  name: string;
  /** driver behind device/driver; none = no `device` link (veth, bridge, tun, dummy) */
  driver?: string;
  /** a phy80211 link (cfg80211) or a `wireless` directory (wext) */
  wireless?: 'phy80211' | 'wireless';
  operstate?: string;
  ifindex?: number;
}

export class FakeSysfs {
  readonly root: string;
  readonly net: string;

  constructor() {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-sysfs-'));
    this.net = path.join(this.root, 'class', 'net');
    fs.mkdirSync(this.net, { recursive: true });
  }

  add(link: FakeLink): this {
    const dir = path.join(this.net, link.name);
    fs.mkdirSync(dir);
    if (link.driver) {
      const device = path.join(this.root, 'devices', `dev-${link.name}`);
      fs.mkdirSync(device, { recursive: true });
      fs.symlinkSync(path.join(this.root, 'bus', 'drivers', link.driver), path.join(device, 'driver'));
      fs.symlinkSync(device, path.join(dir, 'device'));
    }
    if (link.wireless === 'phy80211') {
      const phy = path.join(this.root, 'class', 'ieee80211', `phy-${link.name}`);
      fs.mkdirSync(phy, { recursive: true });
      fs.symlinkSync(phy, path.join(dir, 'phy80211'));
    }
    if (link.wireless === 'wireless') fs.mkdirSync(path.join(dir, 'wireless'));
    if (link.operstate !== undefined) fs.writeFileSync(path.join(dir, 'operstate'), `${link.operstate}\n`);
    if (link.ifindex !== undefined) fs.writeFileSync(path.join(dir, 'ifindex'), `${link.ifindex}\n`);
    return this;
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
