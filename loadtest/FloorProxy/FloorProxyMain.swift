import ArgumentParser
import NIOCore
import NIOPosix

/// `goosey-floor-proxy`: the least a SwiftNIO reverse proxy does, for benchmarks only. `bench-edge` runs it beside
/// the edge and nginx, so that the edge's cost splits into what NIO itself costs (its event loops, and in `http`
/// mode its HTTP/1.1 codecs) and what the edge adds on top (Hummingbird's server and Goosey's work).
///
/// Each client connection gets its own upstream connection, on its event loop, for as long as it lives.
/// - `--mode tcp`: bytes relayed both ways unparsed.
/// - `--mode http`: requests and answers parsed and re-encoded part by part by NIO's HTTP/1.1 codecs, the
///   client's `x-api-key` replaced by `$ANTHROPIC_API_KEY` on the way. No routing, no checks, no metering.
@main
struct FloorProxyMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goosey-floor-proxy",
        abstract: "A minimal SwiftNIO reverse proxy: the stack's own cost, for benchmarks."
    )

    enum Mode: String, ExpressibleByArgument { case tcp, http }

    @Option(help: "Port to listen on, on 127.0.0.1.") var port: Int
    @Option(help: "The upstream's port, on 127.0.0.1.") var upstreamPort: Int
    @Option(help: "tcp: relay bytes; http: parse and re-encode requests and answers.") var mode = Mode.http

    func run() async throws {
        let upstreamAddress = try SocketAddress(ipAddress: "127.0.0.1", port: self.upstreamPort)
        let apiKey = getenv("ANTHROPIC_API_KEY").map { String(cString: $0) } ?? ""
        let mode = self.mode
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { client in
                ClientBootstrap(group: client.eventLoop)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .connect(to: upstreamAddress)
                    .flatMapThrowing { upstream in
                        do {
                            switch mode {
                            case .tcp: try Join.bytes(client: client, upstream: upstream)
                            case .http: try Join.http(client: client, upstream: upstream, apiKey: apiKey)
                            }
                        } catch {
                            upstream.close(promise: nil)
                            throw error
                        }
                    }
            }
            .bind(host: "127.0.0.1", port: self.port)
            .get()
        try await server.closeFuture.get()
    }
}
