import NIOSSL

/// Where `upstream.url` points: the host and port to connect to, whether to speak TLS, and the path
/// every request's path is appended to.
struct UpstreamEndpoint: Sendable {
    var host: String
    var port: Int
    var usesTLS: Bool
    var basePath: String
    /// The `Host` header: the port only when it is not the scheme's own.
    var hostHeader: String

    /// - Returns: nil when `url` is not `http(s)://host[:port][/path]`.
    init?(url: String) {
        let usesTLS: Bool
        var rest: Substring
        if url.hasPrefix("https://") {
            usesTLS = true
            rest = url.dropFirst("https://".count)
        } else if url.hasPrefix("http://") {
            usesTLS = false
            rest = url.dropFirst("http://".count)
        } else {
            return nil
        }
        let authority = rest.prefix { $0 != "/" }
        rest = rest.dropFirst(authority.count)
        let defaultPort = usesTLS ? 443 : 80
        var host = authority
        var port = defaultPort
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let parsed = Int(authority[authority.index(after: colon)...]), (1...65535).contains(parsed) else { return nil }
            host = authority[..<colon]
            port = parsed
        }
        guard !host.isEmpty else { return nil }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : String(host)
        self.port = port
        self.usesTLS = usesTLS
        self.basePath = rest.hasSuffix("/") ? String(rest.dropLast()) : String(rest)
        self.hostHeader = port == defaultPort ? String(host) : "\(host):\(port)"
    }

    /// The name TLS asks the server for: server name indication carries names only, never an address.
    var serverName: String? {
        self.host.contains(":") || self.host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : self.host
    }

    /// TLS for the upstream: the system's trust roots, HTTP/1.1 only.
    func makeTLSContext() throws -> NIOSSLContext? {
        guard self.usesTLS else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.applicationProtocols = ["http/1.1"]
        return try NIOSSLContext(configuration: configuration)
    }
}
