import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// HTTP/1.1 connections to the upstream, kept per event loop.
///
/// A request's upstream connection lives on its client connection's event loop, so an answer is relayed
/// from one socket to the other without changing threads (`DESIGN.md`: a stream never changes threads).
/// Each loop keeps the connections that finished an answer cleanly for the next request; a connection the
/// upstream closes leaves its loop's idle list at once.
final class UpstreamConnections: Sendable {
    let endpoint: UpstreamEndpoint
    private let tls: NIOSSLContext?
    private let connectTimeout: TimeAmount
    private let maxIdlePerLoop: Int
    private let idleByLoop: [ObjectIdentifier: NIOLoopBoundBox<IdleConnections?>]

    init(endpoint: UpstreamEndpoint, connectTimeout: TimeAmount, maxIdle: Int, group: MultiThreadedEventLoopGroup = .singleton) throws {
        self.endpoint = endpoint
        self.tls = try endpoint.makeTLSContext()
        self.connectTimeout = connectTimeout
        let loops = Array(group.makeIterator())
        self.maxIdlePerLoop = max(1, maxIdle / max(loops.count, 1))
        self.idleByLoop = Dictionary(uniqueKeysWithValues: loops.map {
            (ObjectIdentifier($0), NIOLoopBoundBox.makeEmptyBox(valueType: IdleConnections.self, eventLoop: $0))
        })
    }

    /// Sends `request` on a connection of `loop` (an idle one, or a new one) and hands its answer to `relay`.
    /// Must be called on `loop`.
    func send(_ request: UpstreamRequest, relay: UpstreamRelay, on loop: any EventLoop) {
        loop.preconditionInEventLoop()
        let idle = self.idleByLoop[ObjectIdentifier(loop)].map(IdleConnections.on)
        while let connection = idle?.connections.popLast() {
            if connection.isReusable {
                connection.begin(request, relay: relay)
                return
            }
        }
        self.connect(on: loop).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let channel):
                do {
                    let connection = try channel.pipeline.syncOperations.handler(type: UpstreamConnection.self)
                    // The client left while the connection opened: the request never goes; the connection waits idle.
                    guard !relay.hasEnded else {
                        connection.release(reusable: true)
                        return
                    }
                    connection.begin(request, relay: relay)
                } catch {
                    relay.upstreamFailed(.broken)
                }
            case .failure:
                relay.upstreamFailed(.unreachable)
            }
        }
    }

    private func connect(on loop: any EventLoop) -> EventLoopFuture<any Channel> {
        let tls = self.tls
        let serverName = self.endpoint.serverName
        let box = self.idleByLoop[ObjectIdentifier(loop)]
        let maxIdle = self.maxIdlePerLoop
        return ClientBootstrap(group: loop)
            .connectTimeout(self.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    if let tls { try handlers.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName)) }
                    try handlers.addHTTPClientHandlers()
                    try handlers.addHandler(UpstreamConnection(onIdle: { connection in
                        guard let idle = box.map(IdleConnections.on), idle.connections.count < maxIdle else { return false }
                        idle.connections.append(connection)
                        return true
                    }))
                }
            }
            .connect(host: self.endpoint.host, port: self.endpoint.port)
    }
}

/// One event loop's connections waiting for their next request.
final class IdleConnections {
    var connections: [UpstreamConnection] = []

    /// The list of `box`'s event loop, made on first use there.
    static func on(_ box: NIOLoopBoundBox<IdleConnections?>) -> IdleConnections {
        if let idle = box.value { return idle }
        let idle = IdleConnections()
        box.value = idle
        return idle
    }
}

/// What goes upstream for one request: the head as the upstream should see it and the body.
struct UpstreamRequest {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    /// How long the upstream may take to begin its answer: a non-streaming answer sends nothing until it is whole.
    var headPatience: TimeAmount
    /// How long the upstream may stay silent between two reads of its answer.
    var patience: TimeAmount
}

/// Why the upstream did not answer, or stopped answering.
enum UpstreamFailure: Error {
    /// No connection could be made.
    case unreachable
    /// The upstream said nothing for the whole patience.
    case stalled
    /// The connection closed or broke before the answer ended.
    case broken
    /// The client left before the answer began; the upstream request was cancelled.
    case clientGone
}
