import AsyncHTTPClient
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// HTTP clients to the upstream, each bound to one of the server's event loops, several per loop.
///
/// A stream's upstream connection must live on its client connection's event loop: AsyncHTTPClient hands out
/// an idle connection of any loop when the preferred one has none, and every chunk of such a stream then
/// crosses threads. A client made on a single loop has all its connections there. Several per loop keep
/// each connection pool small: against an HTTP/1 upstream every open stream is a connection, and a pool's
/// bookkeeping grows with its connection count.
final class UpstreamClients: Service, Sendable {
    private let clientsByLoop: [ObjectIdentifier: [HTTPClient]]
    private let next = Atomic<Int>(0)

    init(configuration: UpstreamConfiguration, logger: Logger) {
        let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
        let perLoop = max(1, (configuration.clientShards + loops.count - 1) / max(loops.count, 1))
        self.clientsByLoop = Dictionary(uniqueKeysWithValues: loops.map { loop in
            (ObjectIdentifier(loop), (0..<perLoop).map { _ in
                HTTPClient(eventLoopGroupProvider: .shared(loop), configuration: configuration.clientConfiguration, backgroundActivityLogger: logger)
            })
        })
    }

    /// A client whose connections live on `eventLoop` (one of the server's), taken in turn.
    func client(on eventLoop: any EventLoop) -> HTTPClient {
        let index = self.next.add(1, ordering: .relaxed).oldValue
        let clients = self.clientsByLoop[ObjectIdentifier(eventLoop)] ?? self.clientsByLoop.values.first!
        return clients[index % clients.count]
    }

    /// Shuts the clients down with the application.
    func run() async throws {
        try? await gracefulShutdown()
        for clients in self.clientsByLoop.values {
            for client in clients { try await client.shutdown() }
        }
    }
}
