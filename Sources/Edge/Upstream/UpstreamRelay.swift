import HTTPTypes
import Logging
import LoopBoundServer
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Shared

/// One answer, relayed from its upstream connection straight into the client's connection on the same
/// event loop: each part read is metered and written on, with no task in between. Reading the upstream
/// pauses while the client cannot take more, so a slow reader slows the upstream instead of filling memory.
///
/// The head goes back through Hummingbird (the route returns it as a `Response`); the body closure of that
/// response calls `relayBody()` and waits for the answer to end.
final class UpstreamRelay {
    private enum Phase {
        case awaitingHead
        /// The head went to Hummingbird; parts read meanwhile wait here.
        case awaitingBody(buffered: [ByteBuffer], ended: Bool, failure: UpstreamFailure?)
        case relaying
        case finished
    }

    private var phase = Phase.awaitingHead
    private let exchange: Exchange
    private let recorder: UsageRecorder
    private let client: any Channel
    private let logger: Logger
    private let head: EventLoopPromise<HTTPResponseHead>
    private let done: EventLoopPromise<Void>
    private var connection: UpstreamConnection?
    private var body: ClientBodyWriter?
    private var outcome: ExchangeOutcome?
    private var contentType: String?
    private var keepAlive = false
    /// The client's side of the connection closed (`ClientDeparture`).
    private var clientGone = false

    init(exchange: Exchange, recorder: UsageRecorder, client: any Channel, logger: Logger) {
        self.exchange = exchange
        self.recorder = recorder
        self.client = client
        self.logger = logger
        self.head = client.eventLoop.makePromise()
        self.done = client.eventLoop.makePromise()
    }

    /// The upstream's answer head, or why there is none.
    var headReceived: EventLoopFuture<HTTPResponseHead> { self.head.futureResult }

    func attach(_ connection: UpstreamConnection) {
        self.connection = connection
    }

    func receive(_ part: HTTPClientResponsePart) {
        switch (part, self.phase) {
        case (.head(let head), .awaitingHead):
            guard head.status.code >= 200 else { return }  // `100 Continue` and its kind: the real head follows
            self.keepAlive = head.isKeepAlive
            self.contentType = head.headers.first(name: "content-type")
            var outcome = ExchangeOutcome(
                status: Int(head.status.code),
                upstreamRequestID: head.headers.first(name: "request-id"),
                meter: UsageMeter(contentType: self.contentType),
                leaseRenewalInterval: self.recorder.leaseRenewalInterval
            )
            outcome.keepsResponse = self.recorder.records != nil
            self.outcome = outcome
            self.phase = .awaitingBody(buffered: [], ended: false, failure: nil)
            self.head.succeed(head)
        case (.body(let chunk), .awaitingBody(var buffered, let ended, let failure)):
            buffered.append(chunk)
            self.phase = .awaitingBody(buffered: buffered, ended: ended, failure: failure)
            // The head is on its way out in microseconds, with what one read brought; reading stops only if
            // it is held up (a client not reading) while more keeps coming.
            if buffered.count >= Self.partsBufferedBeforePause { self.connection?.pause() }
        case (.body(let chunk), .relaying):
            self.relay(chunk)
        case (.end, .awaitingBody(let buffered, _, let failure)):
            self.phase = .awaitingBody(buffered: buffered, ended: true, failure: failure)
        case (.end, .relaying):
            self.finish(reusable: self.keepAlive)
        default:
            break
        }
    }

    /// Called by the response's body closure: relays what came so far and everything after, and completes
    /// when the answer has ended (however it ends).
    func relayBody(framing: ClientBodyWriter.Framing) -> EventLoopFuture<Void> {
        guard case .awaitingBody(let buffered, let ended, let failure) = self.phase else { return self.done.futureResult }
        self.phase = .relaying
        self.body = ClientBodyWriter(client: self.client, framing: framing)
        EdgeMetrics.streamStarted()
        if self.clientGone {
            self.endForAClientGone()
            return self.done.futureResult
        }
        for chunk in buffered where self.phaseIsRelaying {
            self.relay(chunk)
        }
        if self.phaseIsRelaying {
            if let failure {
                self.upstreamFailed(failure)
            } else if ended {
                self.finish(reusable: self.keepAlive)
            } else {
                self.connection?.resume()
                self.readComplete()
            }
        }
        return self.done.futureResult
    }

    /// The client has gone: the upstream's answer is cut off now, before it begins or wherever it is.
    func clientLeft() {
        self.clientGone = true
        switch self.phase {
        case .awaitingHead:
            self.phase = .finished
            self.connection?.release(reusable: false)
            self.connection = nil
            self.head.fail(UpstreamFailure.clientGone)
            self.done.succeed()
        case .relaying:
            self.endForAClientGone()
        case .awaitingBody, .finished:
            break  // the body closure finds `clientGone`, or the abandon guard runs
        }
    }

    /// The response's body closure never ran (the client left as the head went out): the upstream is cut off.
    func abandon() {
        guard case .awaitingBody = self.phase else { return }
        self.phase = .finished
        self.connection?.release(reusable: false)
        self.connection = nil
        self.done.succeed()
    }

    /// Everything one read brought has been relayed: send it, and read on only if the client keeps up.
    func readComplete() {
        guard self.phaseIsRelaying, let body = self.body else { return }
        body.flush()
        guard self.client.isActive else {
            // The flush failed and closed the client (a reset): no writability change will ever come to resume on.
            self.endForAClientGone()
            return
        }
        guard !self.client.isWritable,
            let writability = try? self.client.pipeline.syncOperations.handler(type: ClientWritability.self)
        else { return }
        self.connection?.pause()
        writability.whenWritable { [weak self] in self?.connection?.resume() }
    }

    func upstreamFailed(_ failure: UpstreamFailure) {
        switch self.phase {
        case .awaitingHead:
            self.phase = .finished
            self.connection = nil
            self.head.fail(failure)
            self.done.succeed()
        case .awaitingBody(let buffered, false, _):
            self.phase = .awaitingBody(buffered: buffered, ended: false, failure: failure)
        case .awaitingBody:
            break  // the answer is whole: an upstream that hangs up after its end has failed nobody
        case .relaying:
            self.outcome?.markUpstreamFailed()
            self.logger.warning("upstream stream failed", metadata: ["goosey.error": "\(failure)"])
            // A stream ends as the API ends one that fails: with an error event the client reads and can
            // retry on, not a cut connection.
            if UsageMeter.isEventStream(self.contentType) {
                self.body?.write(Self.failedEvent(failure))
                self.client.flush()
                self.finish(reusable: false)
            } else {
                self.finish(reusable: false, error: failure)
            }
        case .finished:
            break
        }
    }

    /// Nothing more will be relayed: the answer ended, failed, or its client left.
    var hasEnded: Bool {
        if case .finished = self.phase { return true }
        return false
    }

    private var phaseIsRelaying: Bool {
        if case .relaying = self.phase { return true }
        return false
    }

    private func relay(_ chunk: ByteBuffer) {
        // `outcome` is changed in place and never read whole here: a copy would retain all it holds, and share
        // the kept response's storage so that the next append copied all of it.
        guard let notes = self.outcome?.noteChunk(chunk) else { return }
        if notes.leaseRenewalIsDue { self.recorder.renewLease(self.exchange) }
        guard self.client.isActive, !self.clientGone else {
            self.endForAClientGone()
            return
        }
        self.body?.write(chunk)
        // After the write, and at the end of this event-loop task (`FlushCoalescingHandler`): what the same
        // read brought after the first chunk, the answer's end included, goes out in the same system call.
        if notes.isFirst {
            self.client.flush()
            self.recorder.noteAnswerBegun(self.exchange, outcome: self.outcome!)
        }
    }

    /// The client left (Esc in Claude Code): closing the upstream connection cancels the request, so nobody pays
    /// for tokens nobody reads; what was read is counted, the output at the floor estimate.
    private func endForAClientGone() {
        self.outcome?.markClientAborted()
        self.finish(reusable: false)
    }

    private func finish(reusable: Bool, error: (any Error)? = nil) {
        guard self.phaseIsRelaying, let outcome = self.outcome else { return }
        self.phase = .finished
        self.client.flush()
        self.connection?.release(reusable: reusable)
        self.connection = nil
        EdgeMetrics.streamEnded()
        self.recorder.record(self.exchange, outcome: outcome)
        if let error { self.done.fail(error) } else { self.done.succeed() }
    }

    /// How many parts may wait for the answer's body to start before the upstream is paused: reads of up to
    /// 64 KB, so at most ~4 MB held for a head that is held up. Most answers never come near it, and pausing
    /// costs two system calls.
    static let partsBufferedBeforePause = 64

    static func failedEvent(_ failure: UpstreamFailure) -> ByteBuffer {
        let message = if case .stalled = failure {
            "The Anthropic API stopped sending this answer. Please try again."
        } else {
            "The connection to the Anthropic API broke off mid-answer. Please try again."
        }
        return ByteBuffer(string: "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"\(message)\"}}\n\n")
    }
}
