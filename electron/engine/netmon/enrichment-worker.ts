// Worker thread behind enrichment.ts: systeminformation's Linux calls run synchronous shell
// commands per interface, which would stall the engine's event loop for tens of ms (seconds
// with many interfaces). Here they block only this thread. One request, one answer, by id.
import { parentPort } from 'node:worker_threads';
import si from 'systeminformation';
import type { RawEnrichment, WorkerReply, WorkerRequest } from './enrichment';

async function collect(): Promise<RawEnrichment> {
  const interfaces = await si.networkInterfaces();
  // the Wi-Fi calls come back empty without nmcli/iw/wpa_cli; older versions lack them
  const wifiConnections = typeof si.wifiConnections === 'function' ? await si.wifiConnections() : [];
  const wifiInterfaces = typeof si.wifiInterfaces === 'function' ? await si.wifiInterfaces() : [];
  return {
    interfaces: (Array.isArray(interfaces) ? interfaces : [interfaces]).map((i) => ({
      iface: i.iface,
      type: i.type,
      speed: i.speed,
      duplex: i.duplex,
      dhcp: i.dhcp,
    })),
    wifiConnections: wifiConnections.map((w) => ({ iface: w.iface, ssid: w.ssid, signalLevel: w.signalLevel, quality: w.quality, model: w.model })),
    wifiInterfaces: wifiInterfaces.map((w) => ({ iface: w.iface, vendor: w.vendor, model: w.model })),
  };
}

parentPort?.on('message', (request: WorkerRequest) => {
  collect().then(
    (data) => parentPort?.postMessage({ id: request.id, ok: true, data } satisfies WorkerReply),
    (error: unknown) => parentPort?.postMessage({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) } satisfies WorkerReply),
  );
});
