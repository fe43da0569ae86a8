import NIOCore

/// An incremental server-sent-events parser (WHATWG HTML "event stream interpretation").
///
/// Bytes may arrive split anywhere, even between the CR and LF of a line ending. Lines end in CRLF, LF or
/// CR; a leading BOM is dropped; `:` lines are comments; `data:` lines join with LF; one space after the
/// colon is dropped; a blank line dispatches; `id` and `retry` are ignored (Goosey never reconnects); an
/// event still open when the bytes end is never dispatched.
///
/// Memory is bounded: the parser holds at most one event. An event (or line) larger than `maxEventBytes` is
/// dropped whole, `overflowed` turns true, and parsing resumes after that event's blank line.
///
/// Speed: each chunk is scanned through one raw pointer with memchr; an event whose single `data:` line
/// arrived whole in one chunk is handed out as a zero-copy slice of that chunk.
///
/// Use it pull-style, which lets a caller that owns the parser update its own state per event:
/// ```swift
/// parser.append(chunk)
/// while let event = parser.next() { … }
/// ```
/// or push-style with `feed(_:_:)`.
public struct SSEParser: Sendable {
    public static let defaultMaxEventBytes = 4 * 1024 * 1024

    public let maxEventBytes: Int
    /// An event was dropped because it outgrew `maxEventBytes`.
    public internal(set) var overflowed = false
    /// How many events were dropped for size.
    public internal(set) var droppedEvents = 0

    /// The unread rest of the last appended chunk.
    var input: ByteBuffer?
    /// The start of a line whose end has not arrived yet.
    var carry = ByteBuffer()
    /// The current event's data lines joined with LF, when they are not one line inside the current chunk.
    var data = ByteBuffer()
    /// `data` holds the current event's data (otherwise it holds a dispatched event's, or nothing).
    var dataIsCurrent = false
    var dataLines = 0
    var eventName = ""
    /// The last line ended in CR at the very end of a chunk: an LF that starts the next one belongs to it.
    var skipLeadingLF = false
    /// Dropping an oversized event until its blank line.
    var discarding = false
    /// While discarding, whether the unfinished line had any bytes (so its end is not a blank line).
    var discardedLineHasBytes = false
    /// How many bytes of a UTF-8 BOM matched at the start; nil once the start is behind us.
    var bomMatched: Int? = 0

    public init(maxEventBytes: Int = SSEParser.defaultMaxEventBytes) {
        self.maxEventBytes = maxEventBytes
    }

    /// Parses `buffer` and calls `onEvent` for each event it completes.
    public mutating func feed(_ buffer: ByteBuffer, _ onEvent: (SSEEvent) -> Void) {
        self.append(buffer)
        while let event = self.next() { onEvent(event) }
    }

    /// Queues `buffer`; call `next()` until it returns nil before appending again.
    public mutating func append(_ buffer: ByteBuffer) {
        precondition(self.input == nil, "call next() until it returns nil before appending more bytes")
        var buffer = buffer
        if self.bomMatched != nil { self.dropBOM(&buffer) }
        if buffer.readableBytes > 0 { self.input = buffer }
    }

    /// The next complete event in the appended bytes, or nil when more bytes are needed.
    public mutating func next() -> SSEEvent? {
        guard var chunk = self.input else { return nil }
        self.input = nil
        guard case .event(let consumed, let range) = chunk.withUnsafeReadableBytes({ self.scan($0) }) else {
            return nil
        }
        let data: ByteBuffer
        if let range {
            data = chunk.getSlice(at: chunk.readerIndex + range.lowerBound, length: range.count)!
        } else {
            data = self.data
            self.dataIsCurrent = false
        }
        chunk.moveReaderIndex(forwardBy: consumed)
        if chunk.readableBytes > 0 { self.input = chunk }
        let name = self.eventName.isEmpty ? "message" : self.eventName
        self.eventName = ""
        self.dataLines = 0
        return SSEEvent(name: name, data: data)
    }

    private mutating func dropBOM(_ buffer: inout ByteBuffer) {
        let bom: (UInt8, UInt8, UInt8) = (0xEF, 0xBB, 0xBF)
        while let matched = self.bomMatched, let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) {
            let expected = matched == 0 ? bom.0 : matched == 1 ? bom.1 : bom.2
            guard byte == expected else {
                // Not a BOM after all: the bytes that looked like one start the first line.
                if matched >= 1 { self.carry.writeInteger(bom.0) }
                if matched >= 2 { self.carry.writeInteger(bom.1) }
                self.bomMatched = nil
                return
            }
            buffer.moveReaderIndex(forwardBy: 1)
            self.bomMatched = matched == 2 ? nil : matched + 1
        }
    }
}
