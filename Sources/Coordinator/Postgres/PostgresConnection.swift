import CLibPQ
import Shared
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking libpq connection, driven from async code without blocking the cooperative pool.
///
/// Every libpq call runs synchronously on the connection's own `executor` (a serial queue), so calls never
/// overlap. SQL goes only through `PQexecParams`, with values as parameters, never spliced into the text.
final class PostgresConnection: @unchecked Sendable {
    // @unchecked: `handle` is touched only inside synchronous closures on `executor`'s serial queue
    // (and in deinit, when nothing else can hold the connection); `broken` is atomic.

    /// The serial executor every libpq call of this connection runs on.
    let executor: SerialQueueExecutor
    private let handle: OpaquePointer  // PGconn *
    private let broken = Atomic<Bool>(false)

    private init(handle: OpaquePointer, executor: SerialQueueExecutor) {
        self.handle = handle
        self.executor = executor
    }

    deinit {
        PQfinish(self.handle)
    }

    /// Whether the connection was lost; a server error such as a constraint violation does not count.
    var isBroken: Bool { self.broken.load(ordering: .acquiring) }

    /// Connects to a URL (`postgres://user@127.0.0.1:5432/db`) or a conninfo string (`host=… dbname=…`).
    /// - Parameter connectTimeout: rounded up to whole seconds; libpq waits at least 2.
    /// - Throws: `PostgresError` of kind `.invalidURL` or `.connectionFailed`.
    static func connect(
        url: String,
        connectTimeout: Duration = .seconds(5)
    ) async throws(PostgresError) -> PostgresConnection {
        let executor = SerialQueueExecutor(label: "goosey.postgres")
        return try await executor.run { () throws(PostgresError) -> PostgresConnection in
            PostgresConnection(handle: try Self.blockingOpen(url, connectTimeout: connectTimeout), executor: executor)
        }
    }

    // MARK: - Statements

    /// Runs one statement with `$1`, `$2`… bound to `parameters` (`nil` is SQL NULL) and returns its rows.
    /// - Throws: `PostgresError`; a rejected statement has kind `.server` and a `sqlState`.
    func query(_ sql: String, _ parameters: [String?] = []) async throws(PostgresError) -> [PostgresRow] {
        try await self.run(sql, parameters).rows
    }

    /// Runs one statement and returns how many rows it inserted, updated or deleted.
    @discardableResult
    func execute(_ sql: String, _ parameters: [String?] = []) async throws(PostgresError) -> Int {
        try await self.run(sql, parameters).affectedRows
    }

    /// Runs one statement and returns everything libpq reported about it.
    func run(_ sql: String, _ parameters: [String?]) async throws(PostgresError) -> PostgresResult {
        guard !parameters.contains(where: { $0?.utf8.contains(0) ?? false }) else {
            throw PostgresError(kind: .invalidParameter, detail: "a parameter holds a NUL byte")
        }
        return try await self.executor.run { () throws(PostgresError) -> PostgresResult in
            try self.blockingExecute(sql, parameters)
        }
    }

    /// Whether no transaction is open on the connection (`PQtransactionStatus`). Runs on `executor` only.
    func blockingTransactionIsIdle() -> Bool {
        precondition(self.executor.isCurrent, "libpq called off the connection's executor")
        return PQtransactionStatus(self.handle) == PQTRANS_IDLE
    }
}

// MARK: - Blocking calls, only ever run on `executor`

extension PostgresConnection {
    private static func blockingOpen(_ url: String, connectTimeout: Duration) throws(PostgresError) -> OpaquePointer {
        try Self.validate(url)
        let timeout = max(2, connectTimeout.components.seconds + (connectTimeout.components.attoseconds > 0 ? 1 : 0))
        // Entries before `dbname` are defaults the URL may override; entries after it always win.
        let options = [
            ("connect_timeout", String(timeout)), ("application_name", "goosey"),
            ("dbname", url), ("client_encoding", "UTF8"),
        ]
        let handle = withCStrings(options.map(\.0)) { keywords in
            withCStrings(options.map(\.1)) { values in PQconnectdbParams(keywords, values, 1) }
        }
        guard let handle else {
            throw PostgresError(kind: .connectionFailed, detail: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let error = PostgresError(kind: .connectionFailed, detail: Self.errorMessage(handle))
            PQfinish(handle)
            throw error
        }
        _ = PQsetNoticeProcessor(handle, { _, _ in }, nil)  // keep NOTICE and WARNING off stderr
        // Dates that staff give (`--since 2026-03-01`) are UTC days, as every report prints them, whatever the
        // server's own time zone: a `date` compared with a `timestamptz` is midnight in the session's zone.
        let result = PQexec(handle, "SET TIME ZONE 'UTC'")
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else {
            let error = PostgresError(kind: .connectionFailed, detail: "the session's time zone could not be set to UTC")
            PQfinish(handle)
            throw error
        }
        return handle
    }

    /// Parses the URL on its own first, because libpq's parse errors may quote the URL (and its password).
    private static func validate(_ url: String) throws(PostgresError) {
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &message) else {
            PQfreemem(message)
            throw PostgresError(kind: .invalidURL, detail: "the Postgres URL or conninfo string could not be parsed")
        }
        PQconninfoFree(options)
    }

    private func blockingExecute(_ sql: String, _ parameters: [String?]) throws(PostgresError) -> PostgresResult {
        precondition(self.executor.isCurrent, "libpq called off the connection's executor")
        guard !self.isBroken else {
            throw PostgresError(kind: .connectionBroken, detail: "an earlier failure broke this connection")
        }
        let result = withCStrings(parameters) { values in
            PQexecParams(self.handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        switch result.map(PQresultStatus) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            return PostgresResult(copying: result!)
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR, nil:
            throw self.failure(result)
        default:
            throw PostgresError(kind: .unexpectedResult, detail: "the statement returned an unsupported result")
        }
    }

    /// Copies the failure out of `result` and the connection now, before any await.
    private func failure(_ result: OpaquePointer?) -> PostgresError {
        if PQstatus(self.handle) != CONNECTION_OK {
            self.broken.store(true, ordering: .releasing)
            return PostgresError(kind: .connectionClosed, detail: Self.errorMessage(self.handle))
        }
        let field = { (code: Character) in
            result.flatMap { PQresultErrorField($0, Int32(code.asciiValue!)) }.map { String(cString: $0) }
        }
        return PostgresError(
            kind: .server,
            detail: "the server rejected the statement",
            sqlState: field("C"),  // PG_DIAG_SQLSTATE
            serverMessage: field("M") ?? Self.errorMessage(self.handle)  // PG_DIAG_MESSAGE_PRIMARY
        )
    }

    private static func errorMessage(_ handle: OpaquePointer) -> String {
        let message = PQerrorMessage(handle).map { String(cString: $0) } ?? ""
        return message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// Calls `body` with a C array of C strings (`nil` stays a null pointer), valid for the call only.
private func withCStrings<Result>(
    _ strings: [String?],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> Result
) -> Result {
    let copies = strings.map { $0.flatMap { strdup($0) } }
    defer {
        for copy in copies { free(copy) }
    }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
