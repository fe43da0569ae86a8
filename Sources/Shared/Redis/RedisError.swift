/// A failure talking to Redis.
///
/// `description` never holds command arguments, URLs or passwords: Redis quotes the arguments of an
/// unknown command back in its error text, so a server's message is kept apart in `serverMessage`.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, from a closed set: fit for a metric label.
    public enum Kind: String, Sendable, Hashable {
        /// The Redis URL could not be parsed or uses an unsupported scheme.
        case invalidURL
        /// The command was empty or too long for hiredis.
        case invalidCommand
        /// The TCP connection could not be opened (refused, unreachable, unresolvable).
        case connectionFailed
        /// Connecting, sending or waiting for a reply took longer than its timeout.
        case timeout
        /// The server closed the connection.
        case connectionClosed
        /// An earlier I/O or protocol error left this connection unusable; the pool replaces it.
        case connectionBroken
        /// Any other socket error.
        case io
        /// The server's reply was not valid RESP, or had a type this client does not know.
        case protocolError
        /// The server answered with an error reply; see `code`.
        case server
    }

    public var kind: Kind
    /// The first word of a server error reply (`ERR`, `WRONGTYPE`, `NOSCRIPT`, `WRONGPASS`…); `nil` otherwise.
    public var code: String?
    /// A short explanation that never holds a command argument or a secret (hiredis' `errstr` or our own text).
    public var detail: String
    /// The server's whole error text. It may echo command arguments, so never log it.
    public var serverMessage: String?

    public init(kind: Kind, detail: String, code: String? = nil, serverMessage: String? = nil) {
        self.kind = kind
        self.detail = detail
        self.code = code
        self.serverMessage = serverMessage
    }

    /// An error for a server's error reply such as `WRONGTYPE Operation against a key holding…`.
    public init(serverMessage: String) {
        let code = serverMessage.prefix { $0 != " " }
        self.init(
            kind: .server,
            detail: "server replied with an error",
            code: String(code),
            serverMessage: serverMessage
        )
    }

    public var description: String {
        if let code = self.code {
            return "RedisError.\(self.kind.rawValue)(\(code)): \(self.detail)"
        }
        return "RedisError.\(self.kind.rawValue): \(self.detail)"
    }
}
