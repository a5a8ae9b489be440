// The devices a server admits, looked up by public key, with their fixed tunnel addresses.
export interface DeviceEntry {
  name: string;
  /** base64 of the 32-byte Ed25519 public key */
  publicKey: string;
  /** tunnel address without prefix length */
  address: string;
}

export class DeviceRegistry {
  private readonly byKey = new Map<string, DeviceEntry>();

  constructor(devices: DeviceEntry[]) {
    for (const device of devices) this.byKey.set(device.publicKey, device);
  }

  lookup(publicKey: Buffer): DeviceEntry | undefined {
    return this.byKey.get(publicKey.toString('base64'));
  }

  all(): DeviceEntry[] {
    return [...this.byKey.values()];
  }
}
