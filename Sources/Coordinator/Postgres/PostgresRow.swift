/// One row of a query result, in Postgres' text format: `"t"` for true, `"42"`, `"2025-01-31 12:00:00+00"`.
struct PostgresRow: Sendable, Hashable {
    /// The column names, shared by every row of one result.
    let columns: [String]
    /// One value per column; `nil` is SQL NULL.
    let values: [String?]

    /// The value in the column at `index`; `nil` is SQL NULL.
    subscript(index: Int) -> String? {
        self.values[index]
    }

    /// The value in the column called `column`; `nil` is SQL NULL. Naming a column the query does not
    /// return is a programming error and traps.
    subscript(column: String) -> String? {
        guard let index = self.columns.firstIndex(of: column) else {
            preconditionFailure("the result has no column named \(column)")
        }
        return self.values[index]
    }
}
