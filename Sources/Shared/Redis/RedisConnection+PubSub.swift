import CHiredis

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The subscriber side of pub/sub, used only by `RedisSubscriber` on a connection of its own.
extension RedisConnection {
    /// Sends `SUBSCRIBE` and waits for one confirmation per channel.
    func subscribe(_ channels: [String]) async throws(RedisError) {
        let argv = RedisArgv((["SUBSCRIBE"] + channels).lazy.map(\.utf8))
        try await self.executor.run { () throws(RedisError) in
            try self.blockingSend(argv)
            for channel in channels {
                var raw: UnsafeMutableRawPointer?
                guard redisGetReply(self.context, &raw) == REDIS_OK, let raw else { throw self.markBroken() }
                defer { freeReplyObject(raw) }
                let reply = try RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self))
                // A refusal (an ACL without the channel) must not pass for a live subscription.
                guard let parts = reply.array, parts.count == 3, parts[0].string == "subscribe", parts[1].string == channel else {
                    if case .error(let message) = reply { throw RedisError(serverMessage: message) }
                    throw RedisError(kind: .protocolError, detail: "SUBSCRIBE was not confirmed")
                }
            }
        }
    }

    /// Sends `PING`, whose answer arrives among the pushes as `["pong", ""]`.
    func sendPing() async throws(RedisError) {
        let argv = RedisArgv(["PING"].lazy.map(\.utf8))
        try await self.executor.run { () throws(RedisError) in try self.blockingSend(argv) }
    }

    /// The next push (a message or a pong), or nil if none arrives within `timeoutMilliseconds`.
    func nextPush(timeoutMilliseconds: Int32) async throws(RedisError) -> RedisReply? {
        try await self.executor.run { () throws(RedisError) -> RedisReply? in
            if let buffered = try self.blockingBufferedReply() { return buffered }
            var descriptor = pollfd(fd: self.context.pointee.fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, timeoutMilliseconds)
            guard ready > 0 else { return nil }
            guard redisBufferRead(self.context) == REDIS_OK else { throw self.markBroken() }
            return try self.blockingBufferedReply()
        }
    }

    private func blockingSend(_ argv: RedisArgv) throws(RedisError) {
        precondition(self.executor.isCurrent, "hiredis called off the connection's executor")
        let appended = argv.withUnsafeArgv { argc, argv, lengths in
            redisAppendCommandArgv(self.context, argc, argv, lengths)
        }
        guard appended == REDIS_OK else { throw self.markBroken() }
        var done: Int32 = 0
        while done == 0 {
            guard redisBufferWrite(self.context, &done) == REDIS_OK else { throw self.markBroken() }
        }
    }

    private func blockingBufferedReply() throws(RedisError) -> RedisReply? {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReplyFromReader(self.context, &raw) == REDIS_OK else { throw self.markBroken() }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return try RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self))
    }
}
