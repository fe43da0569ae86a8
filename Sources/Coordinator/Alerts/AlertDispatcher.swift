import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Delivers leak alerts to the staff webhook and retries each, with growing pauses, until the webhook
/// answers 2xx. Any coordinator may run it: an alert being sent is locked (`SKIP LOCKED`), so two
/// coordinators never send the same one at once.
struct AlertDispatcher: Service {
    let pool: PostgresPool
    let webhookURL: String
    let logger: Logger
    var interval: Duration = .seconds(1)
    /// The first pause after a failure; each further failure doubles it, up to five minutes.
    var firstRetry: Duration = .seconds(2)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await self.deliverDue()
            } catch {
                self.logger.warning("alert delivery pass failed", metadata: ["goosey.error": "\(error)"])
            }
            try? await Task.sleep(for: self.interval)
        }
    }

    static let dueSQL = """
        SELECT a.id, a.attempts, i.* FROM alerts a
        JOIN LATERAL (\(LeakAlert.selectSQL) WHERE i.id = a.incident_id) i ON true
        WHERE a.delivered_at IS NULL AND a.next_attempt_at <= now()
        ORDER BY a.id LIMIT 20
        FOR UPDATE OF a SKIP LOCKED
        """

    /// Sends every alert that is due, once each.
    func deliverDue() async throws {
        try await self.pool.withConnection { connection in
            try await connection.withTransaction { connection in
                for row in try await connection.query(Self.dueSQL) {
                    let attempts = Int(row[1] ?? "0") ?? 0
                    let failure = await self.post(LeakAlert(row: row, offset: 2))
                    CoordinatorMetrics.alert(delivered: failure == nil)
                    if let failure {
                        let pause = min(self.firstRetry * (1 << min(attempts, 16)), .seconds(300))
                        try await connection.execute(
                            "UPDATE alerts SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + $3::bigint * interval '1 millisecond' WHERE id = $1",
                            [row[0], failure, String(pause.components.seconds * 1000 + pause.components.attoseconds / 1_000_000_000_000_000)]
                        )
                        self.logger.warning("alert not delivered; will retry", metadata: ["goosey.alert": "\(row[0] ?? "")", "goosey.error": "\(failure)"])
                    } else {
                        try await connection.execute("UPDATE alerts SET attempts = attempts + 1, delivered_at = now() WHERE id = $1", [row[0]])
                    }
                }
            }
        }
    }

    /// Posts one alert; nil when the webhook took it, else what went wrong.
    private func post(_ alert: LeakAlert) async -> String? {
        var request = HTTPClientRequest(url: self.webhookURL)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        do {
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(alert)))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 1 << 16)
            return (200..<300).contains(Int(response.status.code)) ? nil : "HTTP \(response.status.code)"
        } catch {
            return "\(error)"
        }
    }
}
