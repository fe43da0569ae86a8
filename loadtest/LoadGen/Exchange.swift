import NIOCore
import NIOHTTP1

/// One request on its way: when it was due, when it left, and what came back so far.
struct Exchange {
    var serial: Int
    /// Origin of every latency: the scheduled send (paced, concurrent) or the send itself (closed).
    var scheduled: NIODeadline
    var sent: NIODeadline
    /// False for warm-up requests, which are sent but not counted.
    var counted: Bool
    var timeoutTask: Scheduled<Void>?
    var status = 0
    var keepAlive = true
    var streaming = false
    var firstByte: NIODeadline?
    var bytes = 0
    var tail = StreamTail()
    /// The start of a non-2xx answer's body, to say why in the summary.
    var errorBody: [UInt8] = []

    mutating func noteHead(_ head: HTTPResponseHead) {
        self.status = Int(head.status.code)
        self.keepAlive = head.isKeepAlive
        self.streaming = head.headers.first(name: "content-type")?.contains("event-stream") ?? false
    }

    mutating func noteBody(_ buffer: ByteBuffer, at now: @autoclosure () -> NIODeadline) {
        if self.firstByte == nil { self.firstByte = now() }
        self.bytes += buffer.readableBytes
        if self.streaming { self.tail.feed(buffer) }
        if !(200..<300).contains(self.status), self.errorBody.count < 300 {
            buffer.withUnsafeReadableBytes { self.errorBody.append(contentsOf: $0.prefix(300 - self.errorBody.count)) }
        }
    }
}

/// The last bytes of an SSE body: enough to tell a stream that ended with `message_stop` from a cut one.
struct StreamTail {
    static let keep = 64
    private(set) var bytes: [UInt8] = []

    mutating func feed(_ buffer: ByteBuffer) {
        let take = min(buffer.readableBytes, Self.keep)
        buffer.withUnsafeReadableBytes { self.bytes.append(contentsOf: $0.suffix(take)) }
        if self.bytes.count > Self.keep { self.bytes.removeFirst(self.bytes.count - Self.keep) }
    }

    var endsWithMessageStop: Bool {
        let needle = Array("message_stop".utf8)
        guard self.bytes.count >= needle.count else { return false }
        return (0...(self.bytes.count - needle.count)).contains { start in
            self.bytes[start..<(start + needle.count)].elementsEqual(needle)
        }
    }
}
