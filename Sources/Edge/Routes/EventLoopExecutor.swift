import NIOCore

/// Runs a task's jobs on one NIO event loop.
///
/// A request's handler, its upstream connection and the client's connection then share one thread, so
/// each streamed chunk moves between them without a thread switch (`DESIGN.md`: "a stream never changes
/// threads"). `HTTPClient` picks the current event loop for the upstream connection when asked from one.
final class EventLoopExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
