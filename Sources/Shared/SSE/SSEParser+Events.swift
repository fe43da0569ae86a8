import NIOCore

extension SSEParser {
    /// A blank line: the event completes if it has data (WHATWG: an empty data buffer dispatches nothing).
    mutating func dispatch(consumed: Int, pending: Range<Int>?) -> ScanResult? {
        guard self.dataLines > 0 else {
            self.eventName = ""
            return nil
        }
        return .event(consumed: consumed, range: pending)
    }

    /// Adds a data line's value to `data`, first copying the event's pending in-chunk line there.
    mutating func appendData(
        _ value: UnsafeRawBufferPointer,
        pending: inout Range<Int>?,
        in chunk: UnsafeRawBufferPointer
    ) {
        self.ownPendingData(&pending, in: chunk)
        if !self.dataIsCurrent {
            self.data.clear()  // reuses the storage once the last event handed out is gone
            self.dataIsCurrent = true
        }
        guard self.data.readableBytes + value.count + 1 <= self.maxEventBytes else {
            self.dropEvent(midLine: false)
            return
        }
        if self.dataLines > 0 { self.data.writeInteger(UInt8(ascii: "\n")) }
        self.data.writeBytes(value)
        self.dataLines += 1
    }

    /// Copies the pending in-chunk data line into `data`, before the chunk goes away or more lines join it.
    mutating func ownPendingData(_ pending: inout Range<Int>?, in chunk: UnsafeRawBufferPointer) {
        guard let range = pending else { return }
        pending = nil
        self.data.clear()
        self.data.writeBytes(UnsafeRawBufferPointer(rebasing: chunk[range]))
        self.dataIsCurrent = true
    }

    /// Finishes a line that began in an earlier chunk and interprets it from `carry`.
    mutating func processCarriedLine(
        _ rest: UnsafeRawBufferPointer,
        pending: inout Range<Int>?,
        in chunk: UnsafeRawBufferPointer
    ) {
        var line = self.carry
        self.carry = ByteBuffer()
        line.writeBytes(rest)
        line.withUnsafeReadableBytes { bytes in
            switch Self.interpret(bytes, 0..<bytes.count) {
            case .blank: break  // a carried line is never empty
            case .data(let value):
                self.appendData(UnsafeRawBufferPointer(rebasing: bytes[value]), pending: &pending, in: chunk)
            case .event(let value): self.eventName = SSEEvent.name(from: UnsafeRawBufferPointer(rebasing: bytes[value]))
            case .ignored: break
            }
        }
        line.clear()
        self.carry = line
    }

    /// Keeps the start of a line whose end is in a later chunk, within the size limit.
    mutating func keepUnfinishedLine(
        _ bytes: UnsafeRawBufferPointer,
        pending: inout Range<Int>?,
        in chunk: UnsafeRawBufferPointer
    ) {
        self.ownPendingData(&pending, in: chunk)
        if self.discarding {
            self.discardedLineHasBytes = true
            return
        }
        let eventBytes = self.dataIsCurrent ? self.data.readableBytes : 0
        guard self.carry.readableBytes + bytes.count + eventBytes <= self.maxEventBytes else {
            self.dropEvent(midLine: true)
            return
        }
        self.carry.writeBytes(bytes)
    }

    mutating func endDiscardingIfBlank(_ lineIsEmpty: Bool) {
        if lineIsEmpty && !self.discardedLineHasBytes { self.discarding = false }
        self.discardedLineHasBytes = false
    }

    mutating func dropEvent(midLine: Bool) {
        self.overflowed = true
        self.droppedEvents += 1
        self.discarding = true
        self.discardedLineHasBytes = midLine
        self.data = ByteBuffer()  // let a big buffer go
        self.dataIsCurrent = false
        self.dataLines = 0
        self.eventName = ""
        self.carry = ByteBuffer()
    }
}
