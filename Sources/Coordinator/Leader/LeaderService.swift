import Foundation
import Logging
import ServiceLifecycle

/// Every `interval`, takes the lead if nobody has it and, while leading, does the leader's work
/// (rebuilding Redis when it lost its data, reconciling expired leases, writing closed periods to the ledger). Several coordinators may run this; one works at a time.
struct LeaderService: Service {
    let leadership: Leadership
    let reconciler: LeaseReconciler
    let closer: PeriodCloser
    let rebuilder: RedisRebuilder
    let logger: Logger
    var interval: Duration = .seconds(2)
    /// Closing periods scans every student: less often than leases.
    var closeEvery: Duration = .seconds(30)

    func run() async throws {
        var leading = false
        var lastClose: ContinuousClock.Instant?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let nowLeading = await self.leadership.lead()
            CoordinatorMetrics.lead(nowLeading)
            if nowLeading != leading {
                self.logger.notice(nowLeading ? "leading" : "no longer leading")
                leading = nowLeading
            }
            if leading {
                do {
                    if let restored = try await self.rebuilder.rebuildIfLost() {
                        self.logger.notice(
                            "Redis rebuilt from Postgres",
                            metadata: ["goosey.keys": "\(restored.keys)", "goosey.policies": "\(restored.policies)", "goosey.balances": "\(restored.balances)"]
                        )
                    }
                } catch {
                    self.logger.warning("rebuilding Redis failed", metadata: ["goosey.error": "\(error)"])
                }
                do {
                    let settled = try await self.reconciler.reconcile(logger: self.logger)
                    if settled > 0 { self.logger.notice("expired leases settled", metadata: ["goosey.leases": "\(settled)"]) }
                } catch {
                    self.logger.warning("lease reconciliation failed", metadata: ["goosey.error": "\(error)"])
                }
                if lastClose.map({ $0.duration(to: .now) >= self.closeEvery }) ?? true {
                    lastClose = .now
                    do {
                        let closed = try await self.closer.close(logger: self.logger)
                        if closed > 0 { self.logger.notice("periods closed in the ledger", metadata: ["goosey.periods": "\(closed)"]) }
                    } catch {
                        self.logger.warning("closing periods failed", metadata: ["goosey.error": "\(error)"])
                    }
                }
            }
            try? await Task.sleep(for: self.interval)
        }
        self.leadership.resign()
    }
}
