import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension SSEParser {
    enum ScanResult {
        /// Every byte was used; no event completed.
        case exhausted
        /// An event completed after `consumed` bytes. Its data is `range` of the chunk, or `data` when nil.
        case event(consumed: Int, range: Range<Int>?)
    }

    /// What one line means (WHATWG "process the field").
    enum Line {
        case blank
        case data(Range<Int>)
        case event(Range<Int>)
        case ignored
    }

    /// Reads lines from `chunk` until an event completes or the bytes run out.
    mutating func scan(_ chunk: UnsafeRawBufferPointer) -> ScanResult {
        var position = 0
        var chunkData: Range<Int>?  // the event's only data line so far, still inside this chunk
        if self.skipLeadingLF, !chunk.isEmpty {
            self.skipLeadingLF = false
            if chunk[0] == UInt8(ascii: "\n") { position = 1 }
        }
        while position < chunk.count {
            guard let length = Self.lineLength(UnsafeRawBufferPointer(rebasing: chunk[position...])) else {
                self.keepUnfinishedLine(
                    UnsafeRawBufferPointer(rebasing: chunk[position...]),
                    pending: &chunkData,
                    in: chunk
                )
                return .exhausted
            }
            let line = position..<(position + length)
            position = self.afterTerminator(at: line.upperBound, in: chunk)
            if self.discarding {
                self.endDiscardingIfBlank(line.isEmpty)
                continue
            }
            if self.carry.readableBytes > 0 {
                self.processCarriedLine(UnsafeRawBufferPointer(rebasing: chunk[line]), pending: &chunkData, in: chunk)
                continue
            }
            if let event = self.apply(line, in: chunk, consumed: position, pending: &chunkData) { return event }
        }
        self.ownPendingData(&chunkData, in: chunk)
        return .exhausted
    }

    /// Interprets a line that lies whole inside the chunk; returns the event a blank line completes.
    private mutating func apply(
        _ line: Range<Int>,
        in chunk: UnsafeRawBufferPointer,
        consumed: Int,
        pending: inout Range<Int>?
    ) -> ScanResult? {
        switch Self.interpret(chunk, line) {
        case .blank:
            return self.dispatch(consumed: consumed, pending: pending)
        case .data(let value):
            if self.dataLines == 0 && value.count < self.maxEventBytes {
                pending = value  // zero-copy unless another data line joins it or the chunk ends first
                self.dataLines = 1
            } else {
                self.appendData(UnsafeRawBufferPointer(rebasing: chunk[value]), pending: &pending, in: chunk)
            }
        case .event(let value):
            self.eventName = SSEEvent.name(from: UnsafeRawBufferPointer(rebasing: chunk[value]))
        case .ignored:
            break
        }
        return nil
    }

    /// The position after the CR, LF or CRLF at `end`; a CR at the very end may have its LF in the next chunk.
    private mutating func afterTerminator(at end: Int, in chunk: UnsafeRawBufferPointer) -> Int {
        guard chunk[end] == UInt8(ascii: "\r") else { return end + 1 }
        guard end + 1 < chunk.count else {
            self.skipLeadingLF = true
            return end + 1
        }
        return chunk[end + 1] == UInt8(ascii: "\n") ? end + 2 : end + 1
    }

    /// The length of the line at the start of `bytes` (up to its first CR or LF), or nil if it has no end yet.
    /// Two memchr passes: LF first, then CR only up to that LF.
    static func lineLength(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let lf = memchr(base, Int32(UInt8(ascii: "\n")), bytes.count).map { UnsafeRawPointer($0) - base }
        let limit = lf ?? bytes.count
        if let cr = memchr(base, Int32(UInt8(ascii: "\r")), limit) { return UnsafeRawPointer(cr) - base }
        return lf
    }

    /// The field of the line at `line` in `bytes` and the range of its value (after the colon and one
    /// optional space). Field names are case-sensitive; a line with no colon is a field with an empty value.
    static func interpret(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) -> Line {
        guard !line.isEmpty else { return .blank }
        guard bytes[line.lowerBound] != UInt8(ascii: ":") else { return .ignored }  // a comment
        let colon = memchr(bytes.baseAddress! + line.lowerBound, Int32(UInt8(ascii: ":")), line.count).map {
            UnsafeRawPointer($0) - bytes.baseAddress!
        }
        let nameEnd = colon ?? line.upperBound
        var valueStart = colon.map { $0 + 1 } ?? line.upperBound
        if valueStart < line.upperBound && bytes[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = valueStart..<line.upperBound
        switch nameEnd - line.lowerBound {
        case 4 where Self.equals(bytes, line.lowerBound, "data"): return .data(value)
        case 5 where Self.equals(bytes, line.lowerBound, "event"): return .event(value)
        default: return .ignored
        }
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ name: StaticString) -> Bool {
        memcmp(bytes.baseAddress! + start, name.utf8Start, name.utf8CodeUnitCount) == 0
    }
}
