import CLibPQ

/// A statement's outcome copied out of a `PGresult`, so the result can be cleared at once.
struct PostgresResult: Sendable {
    var rows: [PostgresRow]
    /// Rows inserted, updated or deleted (`PQcmdTuples`); 0 for other statements.
    var affectedRows: Int
    /// The command tag, such as `INSERT 0 1` or `ROLLBACK`.
    var commandTag: String

    /// Copies a result that completed (`PGRES_COMMAND_OK` or `PGRES_TUPLES_OK`). Does not clear it.
    init(copying result: OpaquePointer) {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        self.rows = (0..<rowCount).map { row in
            PostgresRow(columns: columns, values: (0..<columnCount).map { Self.value(result, row, $0) })
        }
        self.affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
        self.commandTag = String(cString: PQcmdStatus(result))
    }

    private static func value(_ result: OpaquePointer, _ row: Int, _ column: Int) -> String? {
        let (row, column) = (Int32(row), Int32(column))
        guard PQgetisnull(result, row, column) == 0 else { return nil }
        let length = Int(PQgetlength(result, row, column))
        return PQgetvalue(result, row, column).withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}
