/**
 * A UDP sFlow collector socket (node:dgram). Each datagram is decoded as it arrives and stamped
 * with its receive time (sFlow carries no wall clock). The exporter is the agent address +
 * sub-agent id inside the datagram, never the UDP source, which NAT or a relay can change; the
 * source is passed along for diagnostics only. A bad datagram is a warning and costs no other.
 *
 * The collector (src/collector/**) starts one with `listenSflow` and hands the datagrams to a
 * store sink (src/import/flow-sink.ts).
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { decodeDatagram, type DecodedDatagram } from './datagram.js';
import type { WarningSink } from './warnings.js';

export interface SflowListenerOptions {
  /** Address to bind (default '0.0.0.0'; '::' for IPv6 and IPv4). */
  address?: string;
  /** UDP port (default 6343; 0 = any free port, see `port` on the result). */
  port?: number;
  /** Called for every datagram that has a v5 header (possibly with truncated samples). */
  onDatagram(d: ReceivedDatagram): void;
  onWarning?: WarningSink;
  /** Receive buffer size to ask the kernel for (bursts from many agents); default 4 MiB. */
  recvBufferSize?: number;
  /** Clock for receive times (tests), µs since the epoch. */
  nowUs?: () => number;
}

export interface ReceivedDatagram {
  decoded: DecodedDatagram;
  /** Receive time, µs UTC (also every sample's timeUs). */
  timeUs: number;
  /** UDP source, for diagnostics only. */
  from: { address: string; port: number };
}

export interface SflowListener {
  readonly address: string;
  readonly port: number;
  /** Datagrams received, and those that gave no v5 header (garbage, v2/v4). */
  readonly stats: { received: number; rejected: number };
  close(): Promise<void>;
}

export async function listenSflow(opts: SflowListenerOptions): Promise<SflowListener> {
  const address = opts.address ?? '0.0.0.0';
  const socket = dgram.createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', reuseAddr: false });
  const now = opts.nowUs ?? (() => Date.now() * 1000);
  const stats = { received: 0, rejected: 0 };
  let label = 'udp';
  socket.on('message', (msg, rinfo) => {
    const timeUs = now();
    stats.received++;
    const decoded = decodeDatagram(msg, { timeUs, file: label });
    for (const w of decoded.warnings) opts.onWarning?.({ ...w, message: `${w.message} (from ${rinfo.address}:${rinfo.port})` });
    if (decoded.header === null) {
      stats.rejected++;
      return;
    }
    try {
      opts.onDatagram({ decoded, timeUs, from: { address: rinfo.address, port: rinfo.port } });
    } catch (e) {
      // A sink failure must not take the socket down; it is reported like any other problem.
      opts.onWarning?.({ code: 'SNARF_STORE_FAILED', message: `datagram handler failed: ${(e as Error).message}`, file: label });
    }
  });
  socket.on('error', (e) => opts.onWarning?.({ code: 'SNARF_IO', message: `sFlow socket: ${e.message}`, file: label }));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port ?? 6343, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  try {
    socket.setRecvBufferSize(opts.recvBufferSize ?? 4 << 20);
  } catch {
    // The kernel may cap it (net.core.rmem_max); the default buffer still works.
  }
  const bound = socket.address();
  label = `udp:${bound.address}:${bound.port}`;
  return {
    address: bound.address,
    port: bound.port,
    stats,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
