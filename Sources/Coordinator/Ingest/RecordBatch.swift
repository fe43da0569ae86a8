import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Shared

/// One spooled request: its record, and the request body and answer when the edge kept them.
struct ShippedRecord: Sendable {
    var record: RequestRecord
    /// The body byte for byte (a JSON value written verbatim in the line).
    var requestBody: [UInt8]?
    /// The answer as relayed (SSE or JSON), from the line's `response` string.
    var response: [UInt8]?
    /// A compacted body (`CompactSpoolLine`): its skeleton, and the blocks the edge sent along, checked
    /// against their digests.
    var requestSkeleton: [UInt8]?
    var providedBlocks: [String: [UInt8]] = [:]

    init(record: RequestRecord, requestBody: [UInt8]? = nil, response: [UInt8]? = nil) {
        self.record = record
        self.requestBody = requestBody
        self.response = response
    }
}

/// A batch of request records as an edge ships them: one JSON record per line (a spool segment).
struct RecordBatch: Sendable {
    var records: [ShippedRecord]

    init(records: [ShippedRecord]) {
        self.records = records
    }

    /// Parses NDJSON. A last line without its newline is a record the edge was still writing when it
    /// died: it is left out, since the edge never finished it. Any other bad line fails the whole batch.
    /// - Throws: `IngestError.badLine` with the 1-based line number.
    init(ndjson data: Data) throws(IngestError) {
        let decoder = JSONDecoder()
        let bytes = [UInt8](data)
        var records: [ShippedRecord] = []
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            let end = bytes.withUnsafeBytes { raw in
                memchr(raw.baseAddress! + start, 0x0A, raw.count - start).map { raw.baseAddress!.distance(to: UnsafeRawPointer($0)) }
            }
            guard let end else { break }  // the unfinished tail
            let line = bytes[start..<end]
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            do {
                records.append(try Self.shipped(line, decoder: decoder))
            } catch {
                throw .badLine(lineNumber)
            }
        }
        self.records = records
    }
}

extension RecordBatch {
    static func shipped(_ line: ArraySlice<UInt8>, decoder: JSONDecoder) throws -> ShippedRecord {
        let bytes = Array(line)
        guard let members = bytes.withUnsafeBytes({ JSONLayout.members(of: $0) }) else { throw IngestError.badLine(0) }
        var requestBody: [UInt8]?
        var response: [UInt8]?
        var skeleton: [UInt8]?
        var provided: [String: [UInt8]] = [:]
        var recordEnd = bytes.count
        for member in members {
            if member.name == ArraySlice("request".utf8) {
                requestBody = Array(bytes[member.value])
            } else if member.name == ArraySlice("requestText".utf8) {
                requestBody = Array(try decoder.decode(String.self, from: Data(bytes[member.value])).utf8)
            } else if member.name == ArraySlice("response".utf8) {
                response = Array(try decoder.decode(String.self, from: Data(bytes[member.value])).utf8)
            } else if member.name == ArraySlice("requestSkeleton".utf8) {
                skeleton = Array(try decoder.decode(String.self, from: Data(bytes[member.value])).utf8)
            } else if member.name == ArraySlice("blocks".utf8) {
                provided = try Self.blocks(in: bytes, at: member.value)
            } else {
                continue
            }
            recordEnd = min(recordEnd, member.start)
        }
        // The edge writes the bodies after the record's own members: the record alone is decoded, not
        // the hundreds of kilobytes behind it.
        var record = bytes[..<recordEnd]
        while let last = record.last, last == UInt8(ascii: ",") || last == 0x20 || last == 0x0A || last == 0x0D || last == 0x09 {
            record.removeLast()
        }
        let recordJSON = recordEnd == bytes.count ? bytes : Array(record) + [UInt8(ascii: "}")]
        let decoded = try decoder.decode(RequestRecord.self, from: Data(recordJSON))
        guard Self.isPlausible(decoded) else { throw IngestError.badLine(0) }
        var shipped = ShippedRecord(
            record: decoded,
            requestBody: requestBody,
            response: response
        )
        shipped.requestSkeleton = skeleton
        shipped.providedBlocks = provided
        return shipped
    }

    /// No negative counts or charges: a forged record must not give allowance back when balances are rebuilt.
    static func isPlausible(_ record: RequestRecord) -> Bool {
        let usage = record.usage
        return [usage.inputTokens, usage.cacheCreation5mTokens, usage.cacheCreation1hTokens, usage.cacheReadTokens, usage.outputTokens,
                record.costPicoUSD, record.charge ?? 0].allSatisfy { $0 >= 0 } && (100...599).contains(record.status)
    }

    /// The members of the `blocks` object, each checked against the digest it is filed under.
    static func blocks(in bytes: [UInt8], at range: Range<Int>) throws -> [String: [UInt8]] {
        let members = bytes.withUnsafeBytes { raw in JSONLayout.members(of: UnsafeRawBufferPointer(rebasing: raw[range])) }
        guard let members else { throw IngestError.badLine(0) }
        var blocks: [String: [UInt8]] = [:]
        for member in members {
            let block = Array(bytes[(range.lowerBound + member.value.lowerBound)..<(range.lowerBound + member.value.upperBound)])
            let digest = String(decoding: member.name, as: UTF8.self)
            guard block.withUnsafeBytes({ Hex.sha256(of: $0) }) == digest else { throw IngestError.badLine(0) }
            blocks[digest] = block
        }
        return blocks
    }
}

enum IngestError: Error, Equatable, CustomStringConvertible {
    case badLine(Int)
    /// Compacted lines refer to blocks Postgres does not hold: the edge must send the segment whole.
    case missingBlocks(Int)

    var description: String {
        switch self {
        case .badLine(let line): "line \(line) is not a request record"
        case .missingBlocks(let count): "\(count) referenced content blocks are not stored; send the segment whole"
        }
    }
}
