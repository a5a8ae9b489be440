// Classifies a network interface from sysfs: what kind of link a user would call it.
import fs from 'node:fs';
import path from 'node:path';
import type { LinkKind } from '../../protocol/control';

const USB_TETHER_DRIVERS = new Set(['rndis_host', 'cdc_ether', 'ipheth', 'cdc_ncm', 'cdc_eem']);
const WWAN_DRIVERS = new Set(['qmi_wwan', 'cdc_mbim', 'option', 'huawei_cdc_ncm', 'mhi_net', 'sierra_net']);

export function classifyLink(name: string, sysfs = '/sys/class/net'): LinkKind {
  const dir = path.join(sysfs, name);
  if (!fs.existsSync(dir)) return 'unknown';
  if (fs.existsSync(path.join(dir, 'wireless')) || fs.existsSync(path.join(dir, 'phy80211'))) return 'wifi';
  if (name.startsWith('wwan')) return 'wwan'; // the kernel's name for WWAN netdevs, whatever the driver
  let driver = '';
  try {
    driver = path.basename(fs.readlinkSync(path.join(dir, 'device', 'driver')));
  } catch {
    return 'virtual'; // no backing device: veth, bridge, tun, dummy, loopback
  }
  if (USB_TETHER_DRIVERS.has(driver)) return 'usb-tether';
  if (WWAN_DRIVERS.has(driver)) return 'wwan';
  return 'ethernet';
}
