import AsyncHTTPClient
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Several HTTP clients to the upstream, used in turn.
///
/// Each `HTTPClient` keeps one connection pool whose bookkeeping grows with its connection count; against
/// an HTTP/1 upstream every open stream is a connection, so ten thousand streams in one pool would spend
/// much of the edge's CPU on it. Spread over shards, each pool stays small.
final class UpstreamClients: Service, Sendable {
    private let clients: [HTTPClient]
    private let next = Atomic<Int>(0)

    init(configuration: UpstreamConfiguration, logger: Logger) {
        self.clients = (0..<max(configuration.clientShards, 1)).map { _ in
            HTTPClient(
                eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton),  // the server's own loops
                configuration: configuration.clientConfiguration,
                backgroundActivityLogger: logger
            )
        }
    }

    /// The client for the next request.
    func any() -> HTTPClient {
        let index = self.next.add(1, ordering: .relaxed).oldValue
        return self.clients[index % self.clients.count]
    }

    /// Shuts the clients down with the application.
    func run() async throws {
        try? await gracefulShutdown()
        for client in self.clients { try await client.shutdown() }
    }
}
