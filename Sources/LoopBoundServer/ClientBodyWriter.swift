import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Writes an answer's body parts into the client's connection.
///
/// The head goes through Hummingbird and NIO's response encoder, which frames the body (chunked unless the
/// head carries a length). The parts that follow are framed here the same way and written from the encoder's
/// place in the pipeline: each SSE event skips the handlers above it (Hummingbird's connection state, the
/// HTTP types codec, the encoder's three writes per chunk), which only act on heads and ends.
public struct ClientBodyWriter {
    public enum Framing: Sendable {
        /// `<length in hex>\r\n<bytes>\r\n` per part, as the encoder frames a body without a length.
        case chunked
        /// The bytes as they are: the head carries `content-length`.
        case asIs
        /// Not the relay's to decide (a `HEAD` answer, a status without a body): through the whole pipeline.
        case throughPipeline

        /// The framing NIO's response encoder picks for this head, on a connection whose responses are
        /// HTTP/1.1 (NIO's HTTP types codec writes every response head as 1.1).
        public init(status: Int, hasContentLength: Bool, requestMethod: String) {
            let mayHaveBody = status >= 200 && status != 204 && status != 304
            if !mayHaveBody || requestMethod == "HEAD" || requestMethod == "CONNECT" {
                self = .throughPipeline
            } else {
                self = hasContentLength ? .asIs : .chunked
            }
        }
    }

    private let client: any Channel
    private let framing: Framing
    /// The response encoder's context: writes from it go on towards the socket only.
    private let encoder: ChannelHandlerContext?

    /// On the client's event loop.
    public init(client: any Channel, framing: Framing) {
        self.client = client
        self.framing = framing
        self.encoder = framing == .throughPipeline ? nil : try? client.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
    }

    public func write(_ part: ByteBuffer) {
        guard let encoder = self.encoder else {
            self.client.write(HTTPResponsePart.body(part), promise: nil)
            return
        }
        switch self.framing {
        case .asIs, .throughPipeline:
            encoder.write(NIOAny(IOData.byteBuffer(part)), promise: nil)
        case .chunked:
            guard part.readableBytes > 0 else { return }  // an empty chunk would end the body
            var framed = encoder.channel.allocator.buffer(capacity: part.readableBytes + 20)
            framed.writeHexadecimal(part.readableBytes)
            framed.writeStaticString("\r\n")
            framed.writeImmutableBuffer(part)
            framed.writeStaticString("\r\n")
            encoder.write(NIOAny(IOData.byteBuffer(framed)), promise: nil)
        }
    }
}

extension ClientBodyWriter {
    /// Sends what was written, from the encoder's place too: a flush from the top of the pipeline would
    /// wait for the end of the event-loop task (`FlushCoalescingHandler`), and an event that came alone
    /// has nothing to be coalesced with.
    public func flush() {
        if let encoder = self.encoder { encoder.flush() } else { self.client.flush() }
    }
}

extension ByteBuffer {
    /// `value` in lowercase hexadecimal digits, without leading zeros.
    mutating func writeHexadecimal(_ value: Int) {
        let digits = max(1, (Int.bitWidth - value.leadingZeroBitCount + 3) / 4)
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            let nibble = UInt8((value >> shift) & 0xF)
            self.writeInteger(nibble < 10 ? nibble + UInt8(ascii: "0") : nibble - 10 + UInt8(ascii: "a"))
        }
    }
}
