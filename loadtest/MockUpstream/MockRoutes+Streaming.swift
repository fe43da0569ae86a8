import Hummingbird
import NIOCore

extension MockRoutes {
    static let streamHeaders: HTTPFields = [
        .contentType: "text/event-stream; charset=utf-8",
        .cacheControl: "no-cache",
    ]

    /// An SSE answer: each event is its own chunk, `delayMs` apart.
    ///
    /// The record is stored before the last chunk goes out, so a client that has read the whole
    /// stream always finds the final record; a failed write (client gone) overwrites it with what
    /// was actually written.
    func stream(_ reply: MockReply, delayMs: Int, record: MockRecord, pause: MockPause, pacer: MockEventPacer) -> Response {
        let script = MockSSEScript(reply: reply)
        var started = record
        started.status = 200
        self.recorder.store(started)
        let record = started
        let recorder = self.recorder
        let storeFinished: @Sendable () -> Void = {
            recorder.store(Self.finished(record, script: script, bytes: script.body.readableBytes, complete: reply.isComplete))
        }
        return Response(
            status: .ok,
            headers: Self.streamHeaders,
            body: ResponseBody { writer in
                let count = script.eventEnds.count
                do {
                    if delayMs > 0, count > 1 {
                        try await writer.write(script.event(0))
                        try await pacer.send(script, from: 1, every: .milliseconds(Int64(delayMs)), beforeLast: storeFinished)
                    } else {
                        // Without a delay the events go out together, each still its own chunk, with one flush: a
                        // burst as the real API sends one, for a fraction of the mock's CPU.
                        storeFinished()
                        try await writer.write(contentsOf: (0..<count).map(script.event))
                    }
                } catch {
                    let sent = (error as? MockStreamInterrupted)?.bytesSent ?? 0
                    var partial = Self.finished(record, script: script, bytes: sent, complete: false)
                    partial.clientDisconnected = true
                    recorder.store(partial)
                    throw error
                }
                switch reply.ending {
                case .stall: try await pause.untilConnectionCloses()
                case .reset: throw MockStreamReset()
                default: break
                }
                try await writer.finish(nil)
            }
        )
    }

    /// Thrown out of a response body: the server closes the connection without ending the response.
    struct MockStreamReset: Error {}

    static func finished(_ record: MockRecord, script: MockSSEScript, bytes: Int, complete: Bool) -> MockRecord {
        var record = record
        record.complete = complete
        record.responseBytes = bytes
        record.responseSHA256 = MockSHA256.hex(script.prefix(bytes))
        return record
    }
}
