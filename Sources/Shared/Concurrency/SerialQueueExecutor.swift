import Dispatch

/// A `TaskExecutor` backed by one serial `DispatchQueue`, for C calls that block (libpq).
///
/// Each connection owns one. `run(_:)` hops the calling task onto the queue with
/// `withTaskExecutorPreference`, runs a synchronous closure there and hops back, so a blocking
/// `PQexecParams` parks this queue's thread instead of one of the cooperative
/// pool's threads (2 on our machines). Serial dispatch queues target libdispatch's overcommit root queue,
/// so every blocked connection gets a thread of its own. Because each closure is synchronous, jobs never
/// interleave: that serial order is what makes the C handle safe to share. (Style guide §2.3.)
public final class SerialQueueExecutor: TaskExecutor {
    private static let queueKey = DispatchSpecificKey<ObjectIdentifier>()

    private let queue: DispatchQueue

    /// - Parameter label: the queue's label, seen in debuggers and crash logs. Never put a secret in it.
    public init(label: String) {
        self.queue = DispatchQueue(label: label)
        self.queue.setSpecific(key: Self.queueKey, value: ObjectIdentifier(self))
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.queue.async {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }

    /// Whether the calling code runs on this executor's queue.
    public var isCurrent: Bool {
        DispatchQueue.getSpecific(key: Self.queueKey) == ObjectIdentifier(self)
    }

    /// Runs `body` on this executor's queue and returns its result to the calling task.
    ///
    /// `body` must be synchronous: a suspension inside it would let another job run on the queue.
    @concurrent public func run<Result, Failure: Error>(
        _ body: () throws(Failure) -> Result
    ) async throws(Failure) -> Result {
        try await withTaskExecutorPreference(self) { () throws(Failure) -> Result in
            try body()
        }
    }
}
