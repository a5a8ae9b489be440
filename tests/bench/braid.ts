// ============================== BRAID ENGINE HOOK (to be filled) ==============================
// The engine engineer replaces the body of startBraid. Until then the bench prints the Braid row
// as "not available" — it never invents numbers.
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
//    them), and stop() tears everything down and resolves when it is gone (the bench reports
//    MPTCP endpoints, policy rules or routes left in the client ns afterwards).
import type { Lab } from '../netns/lab';

export interface BraidHandle {
  /** the client's address inside the tunnel */
  tunnelAddress: string;
  /** name of the client's tunnel device, e.g. "braid0" */
  tunnelDevice: string;
  clientPids: number[];
  serverPids: number[];
  /** established subflows, if the engine reports them */
  subflows?: number;
  stop(): Promise<void>;
}

/** thrown while the engine does not exist yet: the bench reports "not available" */
export class BraidUnavailable extends Error {}

export async function startBraid(lab: Lab): Promise<BraidHandle> {
  void lab;
  // TODO(engine): start `braid server` in lab.ns.server and the engine in lab.ns.client, connect.
  throw new BraidUnavailable('engine not implemented yet (tests/bench/braid.ts startBraid hook)');
}
