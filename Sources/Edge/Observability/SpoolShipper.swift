import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Shared
import Synchronization

/// Sends closed spool segments to the coordinator's `POST /v1/ingest`, oldest first, and deletes each
/// once the coordinator answers 200 (its records are committed). Anything else leaves the segment for
/// the next try, after a back-off: delivery is at least once, and ingest ignores what it already has.
///
/// Request bodies go compacted (`CompactSpoolLine`): only the blocks of a conversation that no committed
/// segment carried. If the coordinator lacks one after all (409), the segment goes again whole.
struct SpoolShipper: Sendable {
    let ingestURL: String
    let token: String
    let committedBlocks = KnownBlocks()

    /// Closed segments that go in one request at most, and the bytes they may hold together (a single
    /// larger segment still goes, alone): fewer, larger transactions for the coordinator.
    static let segmentsPerShipment = 16
    static let bytesPerShipment = 8 << 20

    func run(_ segments: SpoolSegments, spooledBytes: borrowing Atomic<Int>, logger: Logger) async {
        var backoff = Duration.milliseconds(250)
        while !Task.isCancelled {
            let shippedAll = await self.shipClosed(segments, spooledBytes: spooledBytes, logger: logger)
            try? await Task.sleep(for: shippedAll ? .milliseconds(250) : backoff)
            backoff = shippedAll ? .milliseconds(250) : min(backoff * 2, .seconds(10))
        }
    }

    /// Ships every closed segment, for an edge that is going away (scaled down): until none is left, or
    /// `limit` has passed. What is left stays in the spool for the next edge started on it.
    /// - Returns: whether the spool is empty.
    @discardableResult
    func drain(_ segments: SpoolSegments, spooledBytes: borrowing Atomic<Int>, logger: Logger, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if await self.shipClosed(segments, spooledBytes: spooledBytes, logger: logger),
                (try? segments.closed().isEmpty) ?? false
            {
                return true
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        logger.warning("spool not empty at exit; it ships when an edge starts on it again")
        return false
    }

    /// One pass over the closed segments. - Returns: whether every shipment went.
    private func shipClosed(_ segments: SpoolSegments, spooledBytes: borrowing Atomic<Int>, logger: Logger) async -> Bool {
        let closed = (try? await BackgroundWork.run { try segments.closed() }) ?? []
        for shipment in Self.shipments(of: closed) {
            guard !Task.isCancelled else { return false }
            do {
                try await self.shipRefusingWhatIsRefusedAlone(shipment, segments: segments, logger: logger)
                for segment in shipment {
                    try? FileManager.default.removeItem(atPath: segment.path)
                    EdgeMetrics.spoolBytes(spooledBytes.subtract(segment.bytes, ordering: .relaxed).newValue)
                }
            } catch {
                logger.warning("log shipping failed; the spool keeps the records", metadata: ["goosey.error": "\(error)"])
                return false
            }
        }
        return true
    }

    static func shipments(of closed: [(path: String, bytes: Int)]) -> [[(path: String, bytes: Int)]] {
        var shipments: [[(path: String, bytes: Int)]] = []
        var current: [(path: String, bytes: Int)] = []
        var bytes = 0
        for segment in closed {
            if !current.isEmpty && (current.count == Self.segmentsPerShipment || bytes + segment.bytes > Self.bytesPerShipment) {
                shipments.append(current)
                current = []
                bytes = 0
            }
            current.append(segment)
            bytes += segment.bytes
        }
        if !current.isEmpty { shipments.append(current) }
        return shipments
    }

    /// Ships `shipment`; if the coordinator refuses it for good (a bad line, too large), ships its segments
    /// one by one and sets aside (`.rejected`, kept, never shipped) each one refused on its own, so one bad
    /// segment cannot hold back every later record.
    private func shipRefusingWhatIsRefusedAlone(
        _ shipment: [(path: String, bytes: Int)],
        segments: SpoolSegments,
        logger: Logger
    ) async throws {
        do {
            try await self.ship(shipment.map(\.path))
        } catch ShippingError.rejected where shipment.count > 1 {
            for segment in shipment {
                try await self.shipRefusingWhatIsRefusedAlone([segment], segments: segments, logger: logger)
            }
        } catch ShippingError.rejected(let status) {
            try? FileManager.default.moveItem(atPath: shipment[0].path, toPath: shipment[0].path + ".rejected")
            EdgeMetrics.spoolDropped()
            logger.error(
                "the coordinator refused a spool segment; it is set aside",
                metadata: ["goosey.segment": "\(shipment[0].path).rejected", "goosey.status": "\(status)"]
            )
        }
    }

    private func ship(_ paths: [String]) async throws {
        let whole = try await BackgroundWork.run {
            try paths.reduce(into: Data()) { data, path in
                let segment = try Data(contentsOf: URL(fileURLWithPath: path))
                // A line cut short by a crash was never a record: it ends where the last whole line does.
                let whole = segment.lastIndex(of: 0x0A).map { segment.index(after: $0) } ?? segment.startIndex
                data.append(segment[..<whole])
            }
        }
        // Hashing, scanning and compressing megabytes would stall an event loop's connections: done in the background.
        let (compact, digests) = try await BackgroundWork.run {
            let (compact, digests) = self.compacted(whole)
            return (try Gzip.compress(compact), digests)
        }
        if try await self.post(compact) == .conflict {
            let uncompacted = try await BackgroundWork.run { try Gzip.compress(whole) }
            guard try await self.post(uncompacted) == .ok else { throw ShippingError.refused(status: 409) }
        }
        self.committedBlocks.insert(digests)
    }

    /// The segment with each request body compacted, and every block digest its lines refer to.
    private func compacted(_ segment: Data) -> (Data, [String]) {
        var compact = Data()
        var digests: [String] = []
        let bytes = [UInt8](segment)
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            let line = bytes[start..<end]
            if let (shrunk, referenced) = CompactSpoolLine.compact(line, known: self.committedBlocks.contains) {
                compact.append(contentsOf: shrunk)
                digests += referenced
            } else {
                compact.append(contentsOf: line)
            }
            if end < bytes.count { compact.append(0x0A) }
            start = end + 1
        }
        return (compact, digests)
    }

    /// Posts a gzip-compressed shipment. - Returns: 200 or 409; any other answer throws.
    private func post(_ gzipped: ByteBuffer) async throws -> HTTPResponseStatus {
        var request = HTTPClientRequest(url: self.ingestURL)
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(self.token)")
        request.headers.add(name: "content-type", value: "application/x-ndjson")
        request.headers.add(name: "content-encoding", value: "gzip")
        request.body = .bytes(gzipped)
        // A refused connection is retried until this deadline, so it also bounds how long an outage goes unsaid.
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 16)
        switch response.status {
        case .ok, .conflict: break
        case .badRequest, .payloadTooLarge: throw ShippingError.rejected(status: Int(response.status.code))
        default: throw ShippingError.refused(status: Int(response.status.code))
        }
        return response.status
    }
}

/// Block digests the coordinator has committed, as far as this edge knows; the oldest are forgotten
/// past `capacity`, which only costs resending them.
final class KnownBlocks: Sendable {
    private struct State {
        var digests: Set<String> = []
        var order: [String] = []
        var oldest = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 200_000) {
        self.capacity = capacity
    }

    func contains(_ digest: String) -> Bool {
        self.state.withLock { $0.digests.contains(digest) }
    }

    func insert(_ digests: [String]) {
        self.state.withLock { state in
            for digest in digests where state.digests.insert(digest).inserted {
                state.order.append(digest)
            }
            while state.digests.count > self.capacity {
                state.digests.remove(state.order[state.oldest])
                state.oldest += 1
            }
            if state.oldest > self.capacity {  // drop the forgotten prefix now and then
                state.order.removeFirst(state.oldest)
                state.oldest = 0
            }
        }
    }
}

enum ShippingError: Error, CustomStringConvertible {
    /// Worth trying again later (the coordinator or Postgres is away).
    case refused(status: Int)
    /// Never going to be taken as it is (a bad line, too large).
    case rejected(status: Int)

    var description: String {
        switch self {
        case .refused(let status): "the coordinator answered \(status)"
        case .rejected(let status): "the coordinator rejected the records (\(status))"
        }
    }
}
