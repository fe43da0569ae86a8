import Foundation
import Shared

/// A batch of request records as an edge ships them: one JSON record per line (a spool segment).
struct RecordBatch: Sendable {
    var records: [RequestRecord]

    /// Parses NDJSON. A last line without its newline is a record the edge was still writing when it
    /// died: it is left out, since the edge never finished it. Any other bad line fails the whole batch.
    /// - Throws: `IngestError.badLine` with the 1-based line number.
    init(ndjson bytes: Data) throws(IngestError) {
        let decoder = JSONDecoder()
        var records: [RequestRecord] = []
        var lineNumber = 0
        var start = bytes.startIndex
        while start < bytes.endIndex {
            lineNumber += 1
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else { break }  // the unfinished tail
            let line = bytes[start..<newline]
            start = bytes.index(after: newline)
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            do {
                records.append(try decoder.decode(RequestRecord.self, from: line))
            } catch {
                throw .badLine(lineNumber)
            }
        }
        self.records = records
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
