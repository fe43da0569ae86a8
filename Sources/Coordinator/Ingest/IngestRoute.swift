import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Shared

/// `POST /v1/ingest`: an edge ships one spool segment (NDJSON records) and may delete it once this
/// answers 200, because by then every record in it is committed (or was already).
struct IngestRoute: Sendable {
    static let maxBatchBytes = 64 * 1024 * 1024
    /// What a gzip shipment may inflate to: a shipment is at most 16 segments of about 1 MB, and a body too
    /// large to compact travels whole.
    static let maxInflatedBytes = 256 * 1024 * 1024

    let pool: PostgresPool
    let store = RecordStore()
    /// SHA-256 of the ingest token.
    let tokenDigest: [UInt8]
    /// The edges' Redis, where the keys a leak suspended are suspended again once Postgres has them.
    let directory: Directory?
    /// The balances there, into which the charges of requests served while Redis was away are settled.
    let balances: QuotaStore?

    init(pool: PostgresPool, token: String, directory: Directory? = nil, balances: QuotaStore? = nil) {
        self.pool = pool
        self.tokenDigest = Array(SHA256.hash(data: Array(token.utf8)))
        self.directory = directory
        self.balances = balances
    }

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        guard self.isAuthorized(request.headers[.authorization]) else {
            return Self.answer(.unauthorized, ["error": "a valid ingest token is required"])
        }
        var body = try await request.body.collect(upTo: Self.maxBatchBytes)
        switch request.headers[.contentEncoding] {
        case nil, "identity": break
        case "gzip":
            do {
                body = try Gzip.decompress(body, maxSize: Self.maxInflatedBytes)
            } catch .tooLarge {
                return Self.answer(.contentTooLarge, ["error": "the shipment inflates past \(Self.maxInflatedBytes) bytes; ship fewer segments at once"])
            } catch {
                return Self.answer(.badRequest, ["error": error.description])
            }
        case let encoding?:
            return Self.answer(.unsupportedMediaType, ["error": "Content-Encoding \(encoding) is not taken; send gzip or identity"])
        }
        let batch: RecordBatch
        do {
            batch = try RecordBatch(ndjson: Data(body.readableBytesView))
        } catch {
            CoordinatorMetrics.batch("bad_request")
            return Self.answer(.badRequest, ["error": error.description])
        }
        let store = self.store
        do {
            let inserted = try await self.pool.withConnection { try await store.insert(batch, into: $0) }
            await self.mirrorSuspensions(batch, logger: context.logger)
            try await self.leaveFailOpenChargesToReconciliation(batch)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            CoordinatorMetrics.batch("stored", records: inserted, lagsMillis: batch.records.map { now - $0.record.receivedAtMillis })
            return Self.answer(.ok, ["received": batch.records.count, "inserted": inserted])
        } catch let error as IngestError {
            CoordinatorMetrics.batch("missing_blocks")
            return Self.answer(.conflict, ["error": error.description])
        } catch {
            CoordinatorMetrics.batch("unavailable")
            context.logger.error("ingest failed", metadata: ["goosey.error": "\(error)"])
            return Self.answer(.serviceUnavailable, ["error": "the records could not be stored; ship them again later"])
        }
    }

    /// Suspends in Redis the keys that the batch's leaks suspended and Postgres still holds suspended.
    ///
    /// The edge suspends them itself, but it cannot while Redis is unreachable, and a Redis rebuilt from Postgres
    /// before the records arrived has them active again. A failure here is logged, never fatal: the records are
    /// stored, and Postgres, which rebuilds Redis, has the suspension.
    private func mirrorSuspensions(_ batch: RecordBatch, logger: Logger) async {
        let hashes = Set(batch.records.flatMap { ($0.record.leaks ?? []).filter(\.isNew).flatMap(\.suspendedKeys) })
        guard let directory = self.directory, !hashes.isEmpty else { return }
        do {
            let suspended = try await self.pool.withConnection { connection in
                try await connection.query(
                    "SELECT sha256 FROM keys WHERE sha256 = ANY($1::text[]) AND state = 'suspended'", [RecordStore.arrayLiteral(hashes.sorted())]
                ).compactMap { $0[0] }
            }
            for hash in suspended where try await directory.key(sha256Hex: hash)?.state == .active {
                try await directory.setKeyState(sha256Hex: hash, .suspended)
            }
        } catch {
            logger.error("could not suspend a leak's keys in Redis", metadata: ["goosey.error": "\(error)"])
        }
    }

    /// Opens an expired lease for each request the batch says was served while Redis was unreachable: the leader's
    /// reconciliation settles it with the charge its record names. Its edge settles it too if it can (settling is
    /// idempotent), but gives up after a while and forgets on a restart, and nobody else would. A Redis that
    /// cannot take them fails the shipment, which the edge ships again: its records are stored once all the same.
    ///
    /// Only for requests of the last 20 hours: Redis remembers a settled lease for a day, and an older one may have
    /// been settled by its edge already (`goosey reconcile --check` shows what is left).
    private func leaveFailOpenChargesToReconciliation(_ batch: RecordBatch, now: Date = Date()) async throws {
        guard let balances = self.balances else { return }
        let oldest = Int64((now.timeIntervalSince1970 - Self.failOpenSettlingWindow) * 1000)
        for shipped in batch.records where shipped.record.failOpen == true && (shipped.record.charge ?? 0) > 0 {
            guard let course = shipped.record.course, let student = shipped.record.student, shipped.record.receivedAtMillis >= oldest else {
                continue
            }
            try await balances.openUnsettled(StudentRef(course: course, student: student), leaseID: shipped.record.id)
        }
    }

    static let failOpenSettlingWindow: TimeInterval = 20 * 3600

    private func isAuthorized(_ header: String?) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let presented = Array(SHA256.hash(data: Array(header.dropFirst(7).utf8)))
        // Comparing digests, byte by byte to the end: the time says nothing about the token.
        return zip(presented, self.tokenDigest).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func answer(_ status: HTTPResponse.Status, _ fields: [String: any Sendable]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
