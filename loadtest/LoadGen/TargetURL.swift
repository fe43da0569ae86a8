import NIOCore

/// An `http://` URL on this machine, parsed once.
struct TargetURL: Sendable {
    var address: SocketAddress
    /// The `Host` header value.
    var authority: String
    /// Path and query, as sent on the request line.
    var pathAndQuery: String

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// - Throws: ``Invalid`` unless the URL is `http://` to 127.0.0.0/8, `localhost` or `[::1]` with a port.
    init(_ url: String) throws {
        guard url.hasPrefix("http://") else { throw Invalid(description: "--url must start with http://") }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        self.authority = String(rest[..<slash])
        let path = String(rest[slash...])
        self.pathAndQuery = path.isEmpty ? "/" : (path.hasPrefix("?") ? "/" + path : path)
        guard let colon = self.authority.lastIndex(of: ":"), let port = Int(self.authority[colon...].dropFirst()) else {
            throw Invalid(description: "--url needs an explicit port")
        }
        let host = self.authority[..<colon]
        let ip = host == "localhost" ? "127.0.0.1" : String(host.trimmingPrefix("[").prefix(while: { $0 != "]" }))
        guard ip.hasPrefix("127.") || ip == "::1" else {
            throw Invalid(description: "--url must point at 127.0.0.0/8, localhost or [::1]; got \(host)")
        }
        self.address = try SocketAddress(ipAddress: ip, port: port)
    }
}
