import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One dispatched server-sent event (WHATWG "dispatch the event").
public struct SSEEvent: Sendable, Equatable, Hashable {
    /// The `event:` field, or `message` when the event had none.
    public var name: String
    /// The `data:` lines joined with LF, without a trailing LF.
    public var data: ByteBuffer

    public init(name: String, data: ByteBuffer) {
        self.name = name
        self.data = data
    }

    public init(name: String, data: String) {
        self.init(name: name, data: ByteBuffer(string: data))
    }

    /// `data` decoded as UTF-8.
    public var text: String { String(buffer: self.data) }
}

extension SSEEvent {
    /// The event name for the raw bytes of an `event:` value. Names Anthropic sends (`anthropic-wire.md`
    /// §3.3) come back as literals: no allocation for names over 15 bytes, and cheap comparisons later.
    static func name(from bytes: UnsafeRawBufferPointer) -> String {
        func matches(_ name: StaticString) -> Bool {
            bytes.count == name.utf8CodeUnitCount && memcmp(bytes.baseAddress!, name.utf8Start, bytes.count) == 0
        }
        switch bytes.count {
        case 19 where matches("content_block_delta"): return "content_block_delta"
        case 19 where matches("content_block_start"): return "content_block_start"
        case 18 where matches("content_block_stop"): return "content_block_stop"
        case 13 where matches("message_start"): return "message_start"
        case 13 where matches("message_delta"): return "message_delta"
        case 12 where matches("message_stop"): return "message_stop"
        case 4 where matches("ping"): return "ping"
        case 5 where matches("error"): return "error"
        default: return String(decoding: bytes, as: UTF8.self)
        }
    }
}
