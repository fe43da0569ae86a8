import NIOCore
import NIOPosix

/// Runs a task's jobs on one NIO event loop.
///
/// In the edge, a request's handler, its upstream connection and the client's connection then share one
/// thread, so each streamed chunk moves between them without a thread switch (`DESIGN.md`: "a stream never
/// changes threads").
public final class EventLoopExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// The one executor of each loop of NIO's shared group, so a task already on a loop's executor that
    /// asks for it again stays where it is; a loop of any other group gets a new executor on every call.
    public static func of(_ eventLoop: any EventLoop) -> EventLoopExecutor {
        Self.shared[ObjectIdentifier(eventLoop)] ?? EventLoopExecutor(eventLoop)
    }

    private static let shared: [ObjectIdentifier: EventLoopExecutor] = Dictionary(
        uniqueKeysWithValues: MultiThreadedEventLoopGroup.singleton.makeIterator().map { (ObjectIdentifier($0), EventLoopExecutor($0)) }
    )

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
