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

    enum Work: Sendable {
        case settlement(Settlement)
        case renewal(Admission, Date)
    }

    private let store: QuotaStore
    private let emergency: EmergencyAllowance
    private let logger: Logger
    private let stream: AsyncStream<Work>
    private let continuation: AsyncStream<Work>.Continuation
    /// How long a settlement keeps retrying before it is left to the coordinator's reconciliation.
    private let patience: Duration

    init(store: QuotaStore, emergency: EmergencyAllowance, logger: Logger, patience: Duration = .seconds(600)) {
        self.store = store
        self.emergency = emergency
        self.logger = logger
        self.patience = patience
        (self.stream, self.continuation) = AsyncStream.makeStream(of: Work.self)
    }

    func enqueue(_ admission: Admission, charge: Int64, usage: TokenUsage = .zero) {
        if admission.before == nil {
            self.emergency.settle(admission.student, window: admission.window, estimate: admission.hold, charge: charge)
        }
        self.continuation.yield(.settlement(Settlement(admission: admission, charge: charge, usage: usage)))
    }

    /// Moves the lease's deadline on, for a stream still running.
    func renew(_ admission: Admission, until deadline: Date) {
        guard admission.before != nil else { return }  // no lease was taken while Redis was away
        self.continuation.yield(.renewal(admission, deadline))
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await work in self.stream {
                    switch work {
                    case .settlement(let settlement): group.addTask { await self.settle(settlement) }
                    case .renewal(let admission, let deadline): group.addTask { await self.renew(admission, deadline) }
                    }
                }
            }
        } onGracefulShutdown: {
            self.continuation.finish()  // the server has drained: settle what is queued, then stop
        }
    }

    private func renew(_ admission: Admission, _ deadline: Date) async {
        do {
            _ = try await self.store.renew(admission.student, leaseID: admission.leaseID, deadline: deadline)
        } catch {
            self.logger.warning("lease renewal failed", metadata: ["goosey.lease.id": "\(admission.leaseID)"])
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
            } catch let error as RedisError where !error.meansRedisIsUnreachable {
                // Retrying cannot help a script error or a key of the wrong type: say so at once.
                self.logger.error(
                    "lease settlement refused by Redis",
                    metadata: ["goosey.lease.id": "\(admission.leaseID)", "goosey.error": "\(error)"]
                )
                return
            } catch {
                if backoff == .milliseconds(100) {
                    self.logger.warning(
                        "lease settlement waiting for Redis",
                        metadata: ["goosey.lease.id": "\(admission.leaseID)", "goosey.error": "\(error)"]
                    )
                }
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
