import NIOCore

/// Waits on the event loop of the request's connection.
///
/// `Task.sleep` wakes on Dispatch's threads and hops back to the loop for the next write. The mock shares the
/// benchmarks' cores with what they measure: with these pauses, and each connection's task on its own loop
/// (`LoopBoundHTTP1Channel`), a delayed event costs it ~45 µs of CPU instead of ~100.
struct MockPause: Sendable {
    let loop: any EventLoop
    /// Completes when the connection closes.
    let connectionClosed: EventLoopFuture<Void>

    /// Returns after `delay`, or throws `CancellationError` as soon as the task is cancelled. A client that
    /// left is noticed by the next write.
    func callAsFunction(_ delay: TimeAmount) async throws {
        try await Self.wait(for: self.loop.scheduleTask(in: delay) {})
    }

    /// An answer that never comes (a hung or stalled one): waits until the connection closes, an hour at most.
    /// Hummingbird does not cancel a handler whose client has left, and no write would notice.
    func untilConnectionCloses() async throws {
        let timer = self.loop.scheduleTask(in: .hours(1)) {}
        self.connectionClosed.whenComplete { _ in timer.cancel() }
        try await Self.wait(for: timer)
    }

    private static func wait(for timer: Scheduled<Void>) async throws {
        do {
            try await withTaskCancellationHandler {
                try await timer.futureResult.get()
            } onCancel: {
                timer.cancel()
            }
        } catch EventLoopError.cancelled {
            throw CancellationError()
        }
    }
}

extension MockPause {
    init(channel: any Channel) {
        self.init(loop: channel.eventLoop, connectionClosed: channel.closeFuture)
    }
}
