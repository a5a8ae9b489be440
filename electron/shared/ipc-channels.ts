// The names and kinds of every renderer<->main channel, without zod, so the preload (which must
// stay tiny) and the renderer can build the typed API from it. ipc-schema.ts adds the payload
// schemas and fails to compile if it disagrees with this list.

export const ipcChannels = {
  app: { snapshot: 'invoke', copyText: 'invoke', quit: 'invoke', health: 'notify' },
  tunnel: { connect: 'invoke', disconnect: 'invoke', changed: 'notify' },
  paths: { changed: 'notify' },
  links: { setMode: 'invoke', events: 'notify' },
  stats: { history: 'invoke', sample: 'notify', reset: 'notify' },
  settings: {
    get: 'invoke',
    update: 'invoke',
    generateDeviceKey: 'invoke',
    importInvite: 'invoke',
    writeClientConfig: 'invoke',
    changed: 'notify',
  },
} as const;

export type IpcChannels = typeof ipcChannels;
export type IpcGroup = keyof IpcChannels;

/** the wire name of a channel: "group:name" */
export function channelName(group: string, name: string): string {
  return `${group}:${name}`;
}

/** every channel of one kind as "group:name" */
export function channelsOfKind(kind: 'invoke' | 'notify'): string[] {
  const out: string[] = [];
  for (const [group, names] of Object.entries(ipcChannels)) {
    for (const [name, k] of Object.entries(names)) if (k === kind) out.push(channelName(group, name));
  }
  return out;
}

/** the name of the listener method for a notify channel: changed -> onChanged */
export function listenerName(name: string): string {
  return `on${name[0]!.toUpperCase()}${name.slice(1)}`;
}
