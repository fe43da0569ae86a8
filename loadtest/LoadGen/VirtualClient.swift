import NIOCore
import NIOHTTP1
import NIOPosix

/// One virtual client: one keep-alive connection, one request at a time, requests due but not yet
/// sent waiting in a queue (so a stalled response delays, and is charged for, the ones behind it).
///
/// `@unchecked Sendable`: every stored property is touched on `eventLoop` only. The two entry points
/// the orchestrator calls (``connect()``, ``start(_:)``) hop onto the loop; everything else runs there.
final class VirtualClient: @unchecked Sendable {
    let index: Int
    let eventLoop: any EventLoop
    let plan: LoadPlan
    let gauge: InFlightGauge
    /// Completed with the client's measurements when it is done.
    let report: EventLoopPromise<ClientTally>

    var connection: ResponseHandler?
    var connecting = false
    /// Concurrent mode: the one connection attempt failed, so the one request is lost.
    var unreachable = false
    var clock: RunClock?
    var queue: [NIODeadline] = []
    var queueHead = 0
    var exchange: Exchange?
    var serial = 0
    var schedulingDone = false
    var finished = false
    var tally = ClientTally()
    var drainTask: Scheduled<Void>?

    init(index: Int, eventLoop: any EventLoop, plan: LoadPlan, gauge: InFlightGauge) {
        self.index = index
        self.eventLoop = eventLoop
        self.plan = plan
        self.gauge = gauge
        self.report = eventLoop.makePromise(of: ClientTally.self)
    }

    /// Opens the connection; succeeds either way (a failure is counted).
    func connect() -> EventLoopFuture<Void> {
        self.eventLoop.flatSubmit { self.openConnection() }
    }

    // MARK: - Connection

    func openConnection() -> EventLoopFuture<Void> {
        self.eventLoop.assertInEventLoop()
        guard self.connection == nil, !self.connecting, !self.finished else {
            return self.eventLoop.makeSucceededVoidFuture()
        }
        self.connecting = true
        return ClientBootstrap(group: self.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = ResponseHandler(client: self)
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(handler)
                    self.connection = handler
                }
            }
            .connect(to: self.plan.target.address)
            .map { _ in
                self.connecting = false
                if self.connection?.isOpen != true { self.connection = nil }
                self.trySend()
            }
            .recover { _ in self.connectFailed() }
    }

    private func connectFailed() {
        self.connecting = false
        self.connection = nil
        guard !self.finished else { return }  // finish() closed a connection still being opened
        self.tally.connectFailures += 1
        guard self.plan.mode != .concurrent else {
            self.unreachable = true
            if self.clock != nil { self.finish() }
            return
        }
        guard !self.finished, self.clock != nil else { return }
        self.eventLoop.scheduleTask(in: .milliseconds(100)) { self.reconnect() }
    }

    func reconnect() {
        guard !self.finished, self.plan.mode != .concurrent else { return }
        _ = self.openConnection()
    }

    /// Forgets the connection at once (so nothing more is sent on it) and closes it.
    func dropConnection() {
        guard let connection = self.connection else { return }
        self.connection = nil
        connection.close()
        if self.clock != nil { self.reconnect() }
    }

    func connectionClosed(_ handler: ResponseHandler) {
        guard handler === self.connection, !self.connecting else { return }
        self.connection = nil
        if self.exchange != nil {
            self.failExchange("connection_closed")
            self.afterExchange()
        }
        if self.clock != nil { self.reconnect() }
    }

    func connectionFailed(_ handler: ResponseHandler, error: any Error) {
        guard handler === self.connection else { return }
        self.dropConnection()
        self.failExchange(Self.kind(of: error))
        self.afterExchange()
    }

    static func kind(of error: any Error) -> String {
        switch error {
        case is HTTPParserError: "protocol"
        case is IOError, is ChannelError: "io"
        default: "other"
        }
    }

    // MARK: - Exchanges

    func trySend() {
        guard !self.finished, self.exchange == nil, self.queueHead < self.queue.count, let clock = self.clock else {
            return
        }
        guard let connection = self.connection, !self.connecting else {
            self.reconnect()
            return
        }
        let scheduled = self.dequeue()
        self.serial += 1
        let serial = self.serial
        self.exchange = Exchange(
            serial: serial,
            scheduled: scheduled,
            sent: .now(),
            counted: scheduled >= clock.measureFrom
        )
        self.gauge.begin()
        connection.send(self.plan.request(for: self.index))
        self.exchange?.timeoutTask = self.eventLoop.scheduleTask(in: self.plan.timeout) { self.timedOut(serial) }
    }

    func responseHead(_ head: HTTPResponseHead) {
        self.exchange?.noteHead(head)
    }

    func responseBody(_ buffer: ByteBuffer) {
        self.exchange?.noteBody(buffer, at: .now())
    }

    func responseEnd() {
        guard let exchange = self.exchange else { return }
        let end = NIODeadline.now()
        self.closeExchange()
        if exchange.counted { self.record(exchange, end: end) }
        if !exchange.keepAlive { self.dropConnection() }
        self.afterExchange()
    }

    private func timedOut(_ serial: Int) {
        guard self.exchange?.serial == serial else { return }
        self.failExchange("timeout")
        self.dropConnection()
        self.afterExchange()
    }

    func failExchange(_ kind: String) {
        guard let exchange = self.exchange else { return }
        self.closeExchange()
        if exchange.counted { self.tally.fail(kind) }
    }

    private func closeExchange() {
        self.exchange?.timeoutTask?.cancel()
        self.exchange = nil
        self.gauge.end()
    }

    private func record(_ exchange: Exchange, end: NIODeadline) {
        self.tally.statuses[exchange.status, default: 0] += 1
        self.tally.bodyBytes += exchange.bytes
        self.tally.lastEnd = max(self.tally.lastEnd, end.uptimeNanoseconds)
        guard (200..<300).contains(exchange.status) else {
            if self.tally.firstNon2xx == nil {
                self.tally.firstNon2xx = "\(exchange.status) " + String(decoding: exchange.errorBody, as: UTF8.self)
            }
            return
        }
        guard !exchange.streaming || exchange.tail.endsWithMessageStop else { return self.tally.fail("truncated") }
        let origin = exchange.scheduled.uptimeNanoseconds
        let total = end.uptimeNanoseconds - origin
        self.tally.ok += 1
        self.tally.ttfb.append((exchange.firstByte ?? end).uptimeNanoseconds - origin)
        self.tally.total.append(total)
        self.tally.sendLag.append(exchange.sent.uptimeNanoseconds - origin)
        if total <= UInt64(self.plan.onTime.nanoseconds) { self.tally.onTime += 1 }
    }
}
