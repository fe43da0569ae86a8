import Foundation
import Shared

/// One spooled request: its record, and the request body and answer when the edge kept them.
struct ShippedRecord: Sendable {
    var record: RequestRecord
    /// The body byte for byte (a JSON value written verbatim in the line).
    var requestBody: [UInt8]?
    /// The answer as relayed (SSE or JSON), from the line's `response` string.
    var response: [UInt8]?

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
    init(ndjson bytes: Data) throws(IngestError) {
        let decoder = JSONDecoder()
        var records: [ShippedRecord] = []
        var lineNumber = 0
        var start = bytes.startIndex
        while start < bytes.endIndex {
            lineNumber += 1
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else { break }  // the unfinished tail
            let line = bytes[start..<newline]
            start = bytes.index(after: newline)
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
    static func shipped(_ line: Data.SubSequence, decoder: JSONDecoder) throws -> ShippedRecord {
        var shipped = ShippedRecord(record: try decoder.decode(RequestRecord.self, from: line))
        let bytes = Array(line)
        let members = bytes.withUnsafeBytes { JSONLayout.members(of: $0) } ?? []
        for member in members {
            if member.name == ArraySlice("request".utf8) {
                shipped.requestBody = Array(bytes[member.value])
            } else if member.name == ArraySlice("response".utf8) {
                shipped.response = Array(try decoder.decode(String.self, from: Data(bytes[member.value])).utf8)
            }
        }
        return shipped
    }
}

enum IngestError: Error, Equatable, CustomStringConvertible {
    case badLine(Int)
    case missingField(line: Int, field: String)

    var description: String {
        switch self {
        case .badLine(let line): "line \(line) is not a request record"
        case .missingField(let line, let field): "line \(line) has no \(field)"
        }
    }
}
