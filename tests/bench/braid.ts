// Braid row of the benchmark: a real `braid server` and braidd in the bench's lab.
//
// Contract, when startBraid resolves:
//  - a Braid server runs in lab.ns.server, listening on lab.serverAddress, and NATs its tunnel
//    pool out of lab.serverUplinkIf itself (the lab's own NAT covers only the link subnets and
//    OpenVPN's pool, so a missing Braid NAT shows up as zero throughput, not as a silent pass);
//  - a Braid client engine runs in lab.ns.client with every lab link enabled, using its own MPTCP
//    endpoints and policy routing (the bench has removed the raw-MPTCP baseline's by then);
//  - the tunnel is up and `ip route get <lab.internetAddress>` in the client ns goes through the
//    tunnel device (the bench checks this and fails the row otherwise);
//  - clientPids/serverPids are every process doing tunnel work (CPU s/GB and VmRSS are read from
//    them), and stop() tears everything down and resolves when it is gone.
import type { Lab } from '../netns/lab';
import { BraidLab, waitForStatus } from '../netns/braid';
import type { ClientStatus } from '../../electron/protocol/control';

export interface BraidHandle {
  /** the client's address inside the tunnel */
  tunnelAddress: string;
  /** name of the client's tunnel device, e.g. "braid0" */
  tunnelDevice: string;
  clientPids: number[];
  serverPids: number[];
  /** established subflows, if the engine reports them */
  subflows?: number;
  /** the client engine's control socket (fetchStatus from tests/netns/braid.ts) */
  clientSocket: string;
  /** the client engine's log so far */
  clientOutput(): string;
  stop(): Promise<void>;
}

/** thrown while the engine does not exist yet: the bench reports "not available" */
export class BraidUnavailable extends Error {}

export async function startBraid(lab: Lab): Promise<BraidHandle> {
  const braid = new BraidLab(lab);
  try {
    await braid.start();
    const status = (await waitForStatus(braid.clientSocket, (st) => st.mode === 'client' && st.tunnel.state === 'connected', 15_000)) as ClientStatus;
    // give the kernel path manager a moment to join every link
    const joined = (await waitForStatus(
      braid.clientSocket,
      (st) => st.mode === 'client' && st.paths.every((p) => p.state === 'active'),
      5000,
    ).catch(() => status)) as ClientStatus;
    return {
      tunnelAddress: (status.tunnel.address ?? '').split('/')[0],
      tunnelDevice: status.tunnel.interface ?? 'braid0',
      clientPids: [braid.client?.pid ?? 0],
      serverPids: [braid.server?.pid ?? 0],
      subflows: joined.paths.filter((p) => p.subflow).length,
      clientSocket: braid.clientSocket,
      clientOutput: () => braid.client?.output() ?? '',
      stop: () => braid.stop(),
    };
  } catch (error) {
    await braid.stop();
    throw error;
  }
}
