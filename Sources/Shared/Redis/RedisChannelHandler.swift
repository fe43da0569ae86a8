import CHiredis
import NIOCore

/// The commands of one `command` or `pipeline` call, and the promise their replies complete.
struct RedisRequest: Sendable {
    var commands: [RedisArgv]
    /// Replies to wait for: one per command, or none for a `PING` on a subscribed connection, whose
    /// answer arrives among the pushes.
    var expectedReplies: Int
    var replies: EventLoopPromise<[Result<RedisReply, RedisError>]>
    /// How long the commands may wait to go out with the next request's flush; nil: at once.
    var sendWithin: TimeAmount?
}

/// Speaks RESP on one Redis connection, on its event loop: hiredis formats each command and parses the
/// byte stream back into replies, which complete the waiting requests in the order they were sent.
///
/// Several tasks may have requests in flight at once (Redis answers in order), so one connection serves
/// every request of its event loop without a thread switch. Replies nobody waits for (pub/sub messages,
/// the pongs of a subscribed connection) are kept as pushes. The first failure (I/O, a reply slower than
/// `commandTimeout`, a protocol error, the server hanging up) fails everything waiting and every later
/// request, and closes the connection: replies can no longer be matched to their requests.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Waiting {
        var request: RedisRequest
        var replies: [Result<RedisReply, RedisError>]
        let deadline: NIODeadline
    }

    private let reader: UnsafeMutablePointer<redisReader>
    private let commandTimeout: TimeAmount
    private let broken: RedisConnection.BrokenFlag
    private var waiting = CircularBuffer<Waiting>()
    private var failure: RedisError?
    private var timeout: Scheduled<Void>?
    private var pushes = CircularBuffer<RedisReply>()
    private var pushWaiter: EventLoopPromise<RedisReply?>?
    /// The flush of requests written with `sendWithin`, unless another request's flush takes them first.
    private var lateFlush: (deadline: NIODeadline, task: Scheduled<Void>)?

    init(commandTimeout: TimeAmount, broken: RedisConnection.BrokenFlag) {
        self.reader = redisReaderCreate()
        self.commandTimeout = commandTimeout
        self.broken = broken
    }

    deinit {
        redisReaderFree(self.reader)
    }

    // MARK: - Requests out

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        // The request is this handler's from here on: whatever happens, it completes `replies`.
        promise?.succeed()
        if let failure = self.failure {
            request.replies.fail(failure)
            return
        }
        var bytes = context.channel.allocator.buffer(capacity: 64 * request.commands.count)
        for command in request.commands {
            guard Self.format(command, into: &bytes) else {
                request.replies.fail(RedisError(kind: .invalidCommand, detail: "hiredis could not format a command"))
                return
            }
        }
        if request.expectedReplies == 0 {
            request.replies.succeed([])
        } else {
            self.waiting.append(
                Waiting(request: request, replies: [], deadline: .now() + self.commandTimeout)
            )
            self.armTimeout(context: context)
        }
        context.write(self.wrapOutboundOut(bytes), promise: nil)
        if let within = request.sendWithin {
            // Never longer than half the command timeout, which would otherwise break the connection.
            self.flushLate(by: .now() + min(within, .nanoseconds(self.commandTimeout.nanoseconds / 2)), context: context)
        }
    }

    /// Flushes by `deadline` at the latest: an earlier deadline replaces a later one.
    private func flushLate(by deadline: NIODeadline, context: ChannelHandlerContext) {
        if let pending = self.lateFlush {
            guard deadline < pending.deadline else { return }
            pending.task.cancel()
        }
        let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            // A flush cancelled in the same pass of the loop may still run: it must not forget a newer one.
            if self.lateFlush?.deadline == deadline { self.lateFlush = nil }
            context.flush()
        }
        self.lateFlush = (deadline, task)
    }

    func flush(context: ChannelHandlerContext) {
        self.lateFlush?.task.cancel()
        self.lateFlush = nil
        context.flush()
    }

    private static func format(_ command: RedisArgv, into bytes: inout ByteBuffer) -> Bool {
        var formatted: UnsafeMutablePointer<CChar>?
        let length = command.withUnsafeArgv { argc, argv, lengths in
            redisFormatCommandArgv(&formatted, argc, argv, lengths)
        }
        guard let formatted else { return false }
        defer { redisFreeCommand(formatted) }
        guard length >= 0 else { return false }
        bytes.writeBytes(UnsafeRawBufferPointer(start: formatted, count: Int(length)))
        return true
    }

    // MARK: - Replies in

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = self.unwrapInboundIn(data)
        guard self.failure == nil, bytes.readableBytes > 0 else { return }
        let fed = bytes.withUnsafeReadableBytes { raw in
            redisReaderFeed(self.reader, raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
        }
        guard fed == REDIS_OK else {
            return self.fail(RedisError(kind: .protocolError, detail: "hiredis could not take the bytes"), context: context)
        }
        while true {
            var raw: UnsafeMutableRawPointer?
            guard redisReaderGetReply(self.reader, &raw) == REDIS_OK else {
                return self.fail(RedisError(kind: .protocolError, detail: "the server's reply was not valid RESP"), context: context)
            }
            guard let raw else { return }
            let reply: RedisReply
            do {
                defer { freeReplyObject(raw) }
                reply = try RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self))
            } catch {
                return self.fail(error, context: context)
            }
            self.deliver(reply)
        }
    }

    private func deliver(_ reply: RedisReply) {
        guard var head = self.waiting.first else {
            if let waiter = self.pushWaiter {
                self.pushWaiter = nil
                waiter.succeed(reply)
            } else {
                self.pushes.append(reply)
            }
            return
        }
        if case .error(let message) = reply {
            head.replies.append(.failure(RedisError(serverMessage: message)))
        } else {
            head.replies.append(.success(reply))
        }
        if head.replies.count == head.request.expectedReplies {
            self.waiting.removeFirst()
            head.request.replies.succeed(head.replies)
        } else {
            self.waiting[self.waiting.startIndex] = head
        }
    }

    /// The next push, or nil if none arrives within `timeout`. One caller at a time.
    func nextPush(timeout: TimeAmount, eventLoop: any EventLoop) -> EventLoopFuture<RedisReply?> {
        if let failure = self.failure { return eventLoop.makeFailedFuture(failure) }
        if let push = self.pushes.popFirst() { return eventLoop.makeSucceededFuture(push) }
        let promise = eventLoop.makePromise(of: RedisReply?.self)
        self.pushWaiter = promise
        eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            guard self.pushWaiter?.futureResult === promise.futureResult else { return }
            self.pushWaiter = nil
            promise.succeed(nil)
        }
        return promise.futureResult
    }

    // MARK: - Failures

    private func armTimeout(context: ChannelHandlerContext) {
        guard self.timeout == nil, let head = self.waiting.first else { return }
        self.timeout = context.eventLoop.assumeIsolated().scheduleTask(deadline: head.deadline) {
            self.timeout = nil
            guard let head = self.waiting.first else { return }
            if head.deadline <= .now() {
                self.fail(RedisError(kind: .timeout, detail: "no reply within the command timeout"), context: context)
            } else {
                self.armTimeout(context: context)
            }
        }
    }

    private func fail(_ error: RedisError, context: ChannelHandlerContext) {
        guard self.failure == nil else { return }
        self.failure = error
        self.broken.set()
        self.timeout?.cancel()
        self.timeout = nil
        self.lateFlush?.task.cancel()
        self.lateFlush = nil
        while let waiting = self.waiting.popFirst() {
            waiting.request.replies.fail(error)
        }
        self.pushWaiter?.fail(error)
        self.pushWaiter = nil
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.fail(RedisError(kind: .connectionClosed, detail: "the server closed the connection"), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.fail(RedisError(kind: .io, detail: "\(error)"), context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.fail(RedisError(kind: .connectionClosed, detail: "the connection was closed"), context: context)
    }
}
