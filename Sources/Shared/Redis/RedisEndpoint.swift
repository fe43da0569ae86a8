#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a Redis server is and how to log in: parsed from `redis://[[user]:password@]host[:port][/db]`,
/// or `unix://[[user]:password@]/path/to/redis.sock[?db=N]` for a server on the same machine.
///
/// `description` leaves the password out, so an endpoint can be logged.
public struct RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// A Unix domain socket to connect to instead of `host` and `port` (then unused): on one machine it
    /// spares both sides the TCP stack on every command.
    public var socketPath: String?
    /// The ACL user for `AUTH user password`; `nil` sends `AUTH password` (the `default` user).
    public var username: String?
    /// Secret.
    public var password: String?
    /// The logical database chosen with `SELECT` after connecting.
    public var database: Int

    public init(host: String, port: Int = 6379, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.socketPath = nil
        self.username = username
        self.password = password
        self.database = database
    }

    /// A server listening on a Unix domain socket.
    public init(socketPath: String, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.init(host: "", port: 0, username: username, password: password, database: database)
        self.socketPath = socketPath
    }

    /// Parses a `redis://` or `unix://` URL; the user and password may be percent-encoded.
    /// - Throws: `RedisError` of kind `.invalidURL`, whose text never repeats the URL (it may hold a password).
    public init(url: String) throws(RedisError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "redis" || scheme == "unix"
        else {
            throw RedisError(
                kind: .invalidURL,
                detail: "expected redis://[[user]:password@]host[:port][/db] or unix://[[user]:password@]/path/to/redis.sock[?db=N]"
            )
        }
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        if scheme == "unix" {
            try self.init(socketURL: components, username: user)
            return
        }
        guard let host = components.host, !host.isEmpty else {
            throw RedisError(kind: .invalidURL, detail: "the Redis URL has no host")
        }
        guard components.query == nil, components.fragment == nil else {
            throw RedisError(kind: .invalidURL, detail: "the Redis URL may not have a query or fragment")
        }
        let path = components.path.drop { $0 == "/" }
        guard let database = path.isEmpty ? 0 : Int(path), database >= 0 else {
            throw RedisError(kind: .invalidURL, detail: "the Redis URL's path must be a database number")
        }
        guard (1...65535).contains(components.port ?? 6379) else {
            throw RedisError(kind: .invalidURL, detail: "the Redis URL's port must be 1 to 65535")
        }
        self.init(
            host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host,
            port: components.port ?? 6379,
            username: user,
            password: components.password,
            database: database
        )
    }

    private init(socketURL components: URLComponents, username: String?) throws(RedisError) {
        guard components.path.hasPrefix("/"), components.path.count > 1, (components.host ?? "").isEmpty,
              components.port == nil, components.fragment == nil
        else {
            throw RedisError(kind: .invalidURL, detail: "expected unix://[[user]:password@]/path/to/redis.sock[?db=N]")
        }
        var database = 0
        for item in components.queryItems ?? [] {
            guard item.name == "db", let number = item.value.flatMap({ Int($0) }), number >= 0 else {
                throw RedisError(kind: .invalidURL, detail: "a unix:// Redis URL's only query may be db=N, a database number")
            }
            database = number
        }
        self.init(socketPath: components.path, username: username, password: components.password, database: database)
    }

    public var description: String {
        let login = self.password == nil ? "" : "\(self.username ?? ""):***@"
        if let socketPath {
            return "unix://\(login)\(socketPath)?db=\(self.database)"
        }
        return "redis://\(login)\(self.host):\(self.port)/\(self.database)"
    }
}
