import Foundation
import Logging
import ServiceLifecycle

/// Every `interval`, takes the lead if nobody has it and, while leading, does the leader's work
/// (for now: reconciling expired leases). Several coordinators may run this; one works at a time.
struct LeaderService: Service {
    let leadership: Leadership
    let reconciler: LeaseReconciler
    let logger: Logger
    var interval: Duration = .seconds(2)

    func run() async throws {
        var leading = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let nowLeading = await self.leadership.lead()
            if nowLeading != leading {
                self.logger.notice(nowLeading ? "leading" : "no longer leading")
                leading = nowLeading
            }
            if leading {
                do {
                    let settled = try await self.reconciler.reconcile(logger: self.logger)
                    if settled > 0 { self.logger.notice("expired leases settled", metadata: ["goosey.leases": "\(settled)"]) }
                } catch {
                    self.logger.warning("lease reconciliation failed", metadata: ["goosey.error": "\(error)"])
                }
            }
            try? await Task.sleep(for: self.interval)
        }
        self.leadership.resign()
    }
}
