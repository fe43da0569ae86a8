import LoopBoundServer
import NIOCore

/// Sends a stream's delayed events from its connection's event loop: each is written, as its own chunk,
/// when its timer fires, with no task woken between two of them.
///
/// The mock shares the benchmarks' cores with what they measure. A delayed event written by the response's
/// task (a timer, a continuation, Hummingbird's writer) cost it ~45 µs of CPU.
///
/// Writes do not wait for a client that stops reading: its events, a few KB a stream, wait in NIO's buffer, and
/// count as sent once written there.
struct MockEventPacer {
    let channel: any Channel

    /// Writes events `first...` of `script`, `delay` apart, the first of them after one delay, and runs
    /// `beforeLast` right before the last goes out.
    /// - Throws: `MockStreamInterrupted` with the bytes that went out when the client left or the task was
    ///   cancelled.
    func send(
        _ script: MockSSEScript, from first: Int, every delay: TimeAmount, beforeLast: @escaping @Sendable () -> Void
    ) async throws {
        guard first < script.eventEnds.count else { return }
        let loop = self.channel.eventLoop
        let channel = self.channel
        let (run, finished) = try await loop.submit {
            let run = PacedEvents(channel: channel, script: script, next: first, delay: delay, beforeLast: beforeLast)
            return (NIOLoopBound(run, eventLoop: loop), run.finished)
        }.get()
        try await withTaskCancellationHandler {
            try await finished.get()
        } onCancel: {
            loop.execute { run.value.stop() }
        }
    }
}

/// The bytes of a stream that went out before it stopped.
struct MockStreamInterrupted: Error {
    let bytesSent: Int
}

/// One stream's events still to send; lives on its connection's event loop.
private final class PacedEvents {
    private let channel: any Channel
    private let body: ClientBodyWriter
    private let script: MockSSEScript
    private var next: Int
    private let delay: TimeAmount
    private let beforeLast: () -> Void
    private let done: EventLoopPromise<Void>
    private var timer: Scheduled<Void>?

    init(channel: any Channel, script: MockSSEScript, next: Int, delay: TimeAmount, beforeLast: @escaping () -> Void) {
        self.channel = channel
        // The streaming route's answer: a `POST`, status 200, without `content-length` (`MockRoutes.streamHeaders`).
        self.body = ClientBodyWriter(client: channel, framing: .chunked)
        self.script = script
        self.next = next
        self.delay = delay
        self.beforeLast = beforeLast
        self.done = channel.eventLoop.makePromise()
        self.scheduleNext()
    }

    /// Completes when every event went out; fails with `MockStreamInterrupted` otherwise.
    var finished: EventLoopFuture<Void> { self.done.futureResult }

    /// Sends nothing more; a stream that has not finished fails.
    func stop() {
        guard let timer = self.timer else { return }
        timer.cancel()
        self.timer = nil
        self.done.fail(MockStreamInterrupted(bytesSent: self.next == 0 ? 0 : self.script.eventEnds[self.next - 1]))
    }

    private func scheduleNext() {
        let loop = self.channel.eventLoop
        self.timer = loop.assumeIsolated().scheduleTask(in: self.delay) { self.sendNext() }
    }

    private func sendNext() {
        guard self.timer != nil else { return }
        guard self.channel.isActive else { return self.stop() }
        if self.next == self.script.eventEnds.count - 1 { self.beforeLast() }
        self.body.write(self.script.event(self.next))
        self.body.flush()
        // A write that failed closed the connection as it was flushed: that event did not go out.
        guard self.channel.isActive else { return self.stop() }
        self.next += 1
        if self.next == self.script.eventEnds.count {
            self.timer = nil
            self.done.succeed()
        } else {
            self.scheduleNext()
        }
    }
}
