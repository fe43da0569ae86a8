import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Sends closed spool segments to the coordinator's `POST /v1/ingest`, oldest first, and deletes each
/// once the coordinator answers 200 (its records are committed). Anything else leaves the segment for
/// the next try, after a back-off: delivery is at least once, and ingest ignores what it already has.
struct SpoolShipper: Sendable {
    let ingestURL: String
    let token: String

    func run(_ segments: SpoolSegments, spooledBytes: borrowing Atomic<Int>, logger: Logger) async {
        var backoff = Duration.milliseconds(250)
        while !Task.isCancelled {
            var shippedAll = true
            for segment in (try? segments.closed()) ?? [] {
                guard !Task.isCancelled else { return }
                do {
                    try await self.ship(segment.path)
                    try FileManager.default.removeItem(atPath: segment.path)
                    EdgeMetrics.spoolBytes(spooledBytes.subtract(segment.bytes, ordering: .relaxed).newValue)
                    backoff = .milliseconds(250)
                } catch {
                    logger.warning("log shipping failed; the spool keeps the records", metadata: ["goosey.error": "\(error)"])
                    shippedAll = false
                    break
                }
            }
            try? await Task.sleep(for: shippedAll ? .milliseconds(250) : backoff)
            if !shippedAll { backoff = min(backoff * 2, .seconds(10)) }
        }
    }

    private func ship(_ path: String) async throws {
        let data = try await NIOThreadPool.singleton.runIfActive { try Data(contentsOf: URL(fileURLWithPath: path)) }
        var request = HTTPClientRequest(url: self.ingestURL)
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(self.token)")
        request.headers.add(name: "content-type", value: "application/x-ndjson")
        request.body = .bytes(ByteBuffer(bytes: data))
        // A refused connection is retried until this deadline, so it also bounds how long an outage goes unsaid.
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 16)
        guard response.status == .ok else { throw ShippingError.refused(status: Int(response.status.code)) }
    }
}

enum ShippingError: Error, CustomStringConvertible {
    case refused(status: Int)

    var description: String {
        switch self {
        case .refused(let status): "the coordinator answered \(status)"
        }
    }
}
