// What both ends of a peer connection need: ICE candidates that arrive before the
// remote description wait for it, and the statistics the pages show.

/** Adds remote ICE candidates to `pc`, holding those that come before its remote description. */
export class CandidateInbox {
  private held: RTCIceCandidateInit[] = [];

  constructor(private readonly pc: RTCPeerConnection) {}

  add(candidate: RTCIceCandidateInit): void {
    if (this.pc.remoteDescription) this.apply(candidate);
    else this.held.push(candidate);
  }

  /** Call once the remote description is set. */
  release(): void {
    const held = this.held;
    this.held = [];
    held.forEach((candidate) => this.apply(candidate));
  }

  private apply(candidate: RTCIceCandidateInit): void {
    // A candidate of an earlier connection to the same peer does not match this one's
    // credentials: dropping it is right.
    this.pc.addIceCandidate(candidate).catch(() => undefined);
  }
}

/** Bytes `pcs` have sent, summed over their outbound RTP streams. */
export async function bytesSent(pcs: Iterable<RTCPeerConnection>): Promise<number> {
  let total = 0;
  for (const pc of pcs) {
    const report = await pc.getStats();
    report.forEach((entry: { type: string; bytesSent?: number }) => {
      if (entry.type === 'outbound-rtp') total += entry.bytesSent ?? 0;
    });
  }
  return total;
}
