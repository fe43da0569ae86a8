import NIOCore

/// Waits on an event loop's own timer, the loop that owns the connection.
///
/// `Task.sleep` wakes on Dispatch's threads and hops back to the loop for the next write. The mock shares the
/// benchmarks' cores with what they measure: with these pauses, and each connection's task on its own loop
/// (`LoopBoundHTTP1Channel`), a delayed event costs it ~45 µs of CPU instead of ~100.
enum MockPause {
    /// Returns after `delay`, or throws `CancellationError` as soon as the task is cancelled.
    static func pause(_ delay: TimeAmount, on loop: any EventLoop) async throws {
        let timer = loop.scheduleTask(in: delay) {}
        do {
            try await withTaskCancellationHandler {
                try await timer.futureResult.get()
            } onCancel: {
                timer.cancel()
            }
        } catch {
            throw CancellationError()
        }
    }
}
