/// A failure talking to Postgres.
///
/// `description` never holds a parameter value, the URL or a password: Postgres quotes values back in
/// messages such as `invalid input syntax for type integer: "…"`, so the server's text is kept apart in
/// `serverMessage`.
struct PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, from a closed set: fit for a metric label.
    enum Kind: String, Sendable, Hashable {
        /// The URL or conninfo string could not be parsed.
        case invalidURL
        /// A parameter held a NUL byte, which the text protocol cannot carry.
        case invalidParameter
        /// The connection could not be opened or logged in.
        case connectionFailed
        /// The connection was lost during the call; it cannot be used again.
        case connectionClosed
        /// An earlier failure left this connection unusable.
        case connectionBroken
        /// The server rejected the statement; see `sqlState`.
        case server
        /// The statement produced a result this wrapper does not handle (`COPY`, an empty query).
        case unexpectedResult
        /// `COMMIT` found the transaction already failed, so Postgres rolled it back.
        case transactionRolledBack
        /// `withTransaction` was called inside a transaction.
        case nestedTransaction
    }

    var kind: Kind
    /// The five-character SQLSTATE, such as `23505` (unique violation) or `40001` (serialization failure).
    var sqlState: String?
    /// A short explanation that never holds a parameter value or a secret.
    var detail: String
    /// The server's primary message. It may quote parameter values, so never log it.
    var serverMessage: String?

    init(kind: Kind, detail: String, sqlState: String? = nil, serverMessage: String? = nil) {
        self.kind = kind
        self.detail = detail
        self.sqlState = sqlState
        self.serverMessage = serverMessage
    }

    var description: String {
        if let sqlState = self.sqlState {
            return "PostgresError.\(self.kind.rawValue)(SQLSTATE \(sqlState)): \(self.detail)"
        }
        return "PostgresError.\(self.kind.rawValue): \(self.detail)"
    }
}
