/** grpc-js's default limit on a received message. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** An empty message framed (most replies, ping's among them): shared, for it is never written to. */
const EMPTY_FRAME = Buffer.alloc(5);
/** No bytes: shared, since nothing can be written into them. */
export const NO_BYTES = Buffer.alloc(0);

/** A message in gRPC's framing: the uncompressed flag, the big-endian length, the bytes. */
export function frame(message: Buffer): Buffer {
  if (message.length === 0) return EMPTY_FRAME;
  const framed = Buffer.allocUnsafe(5 + message.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  message.copy(framed, 5);
  return framed;
}

/**
 * The message when `chunk` is exactly one whole uncompressed message within the size limit,
 * else undefined (a MessageFramer then reads it, and says what is wrong with it).
 */
export function wholeMessage(chunk: Buffer): Buffer | undefined {
  if (chunk.length < 5 || chunk[0] !== 0) return undefined;
  const length = chunk.readUInt32BE(1);
  return length === chunk.length - 5 && length <= MAX_MESSAGE_BYTES ? chunk.subarray(5) : undefined;
}

/** Splits the bytes of a response, however they arrive, into gRPC messages. */
export class MessageFramer {
  private pending: Buffer = NO_BYTES;

  /** The messages `chunk` completes. Throws on a compressed or oversized message. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: Buffer[] = [];
    while (this.pending.length >= 5) {
      // No compression was offered, so a compressed message is the server's error.
      if (this.pending[0] !== 0) throw new Error('Received a compressed message, but no compression was negotiated');
      const length = this.pending.readUInt32BE(1);
      if (length > MAX_MESSAGE_BYTES) throw new RangeError(`Received message larger than max (${length} vs ${MAX_MESSAGE_BYTES})`);
      if (this.pending.length < 5 + length) break;
      messages.push(this.pending.subarray(5, 5 + length));
      this.pending = this.pending.subarray(5 + length);
    }
    return messages;
  }

  /** True when the bytes so far end in the middle of a message. */
  get partial(): boolean {
    return this.pending.length > 0;
  }

  /** How many bytes wait for the rest of their message. */
  get pendingBytes(): number {
    return this.pending.length;
  }
}
