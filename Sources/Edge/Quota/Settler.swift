import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Settles leases off the request path: the stream's end hands over what was used, and this service
/// writes it to Redis, retrying while Redis is away (a fail-open edge's usage reaches Redis once it is back).
final class Settler: Service, Sendable {
    struct Settlement: Sendable {
        var admission: Admission
        var charge: Int64
        var usage: TokenUsage
    }

    private let store: QuotaStore
    private let emergency: EmergencyAllowance
    private let logger: Logger
    private let stream: AsyncStream<Settlement>
    private let continuation: AsyncStream<Settlement>.Continuation
    /// How long a settlement keeps retrying before it is left to the coordinator's reconciliation.
    private let patience: Duration

    init(store: QuotaStore, emergency: EmergencyAllowance, logger: Logger, patience: Duration = .seconds(600)) {
        self.store = store
        self.emergency = emergency
        self.logger = logger
        self.patience = patience
        (self.stream, self.continuation) = AsyncStream.makeStream(of: Settlement.self)
    }

    func enqueue(_ admission: Admission, charge: Int64, usage: TokenUsage = .zero) {
        if admission.before == nil {
            self.emergency.record(admission.student, window: admission.window, charge: charge)
        }
        self.continuation.yield(Settlement(admission: admission, charge: charge, usage: usage))
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await settlement in self.stream {
                    group.addTask { await self.settle(settlement) }
                }
            }
        } onGracefulShutdown: {
            self.continuation.finish()  // the server has drained: settle what is queued, then stop
        }
    }

    private func settle(_ settlement: Settlement) async {
        let admission = settlement.admission
        let deadline = ContinuousClock.now + self.patience
        var backoff = Duration.milliseconds(100)
        while true {
            do {
                try await self.store.settle(
                    admission.student,
                    policy: admission.policy,
                    window: admission.window,
                    leaseID: admission.leaseID,
                    charge: settlement.charge,
                    usage: settlement.usage
                )
                return
            } catch {
                guard ContinuousClock.now + backoff < deadline else {
                    self.logger.error(
                        "lease left unsettled",
                        metadata: ["goosey.lease.id": "\(admission.leaseID)", "goosey.error": "\(error)"]
                    )
                    return
                }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }
}
