// Interfaces from the engine to the operating system. The real implementations live in
// system/; unit tests substitute fakes. Anything that changes kernel state goes through here.

export interface CommandRunner {
  /** runs argv[0] with the rest as arguments (no shell); rejects with stderr in the message */
  run(argv: string[], options?: { input?: string; allowFailure?: boolean }): Promise<{ stdout: string; code: number }>;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

/** what the engine needs to change the kernel's network configuration (it reads interfaces
 *  through the netmon monitor) */
export interface NetworkPort {
  /** key as a /proc/sys path, e.g. "net/ipv4/conf/eth0/rp_filter" (interface names may hold dots) */
  setSysctl(key: string, value: string): Promise<void>;
  readSysctl(key: string): Promise<string | undefined>;
  /** `ip <args>`; idempotent callers use replace/allowFailure */
  ip(args: string[], options?: { allowFailure?: boolean }): Promise<string>;
  /** `nft -f -` with the given script */
  nft(script: string, options?: { allowFailure?: boolean }): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(timer) };
  },
};
