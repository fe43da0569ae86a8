import CHiredis
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension RedisConnection {
    /// Sends several commands in one write and reads their replies in order: one round trip for all.
    ///
    /// Each reply stands alone: one command's error reply does not stop the others.
    /// - Throws: `RedisError` for a failure of the connection itself (nothing is known of any reply).
    public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [Result<RedisReply, RedisError>] {
        let argvs = commands.map { RedisArgv($0.lazy.map(\.utf8)) }
        guard argvs.allSatisfy({ $0.count > 0 }) else {
            throw RedisError(kind: .invalidCommand, detail: "a pipelined command was empty")
        }
        return try await self.executor.run { () throws(RedisError) -> [Result<RedisReply, RedisError>] in
            try self.blockingPipeline(argvs)
        }
    }

    private func blockingPipeline(_ argvs: [RedisArgv]) throws(RedisError) -> [Result<RedisReply, RedisError>] {
        precondition(self.executor.isCurrent, "hiredis called off the connection's executor")
        guard !self.isBroken else {
            throw RedisError(kind: .connectionBroken, detail: "an earlier error broke this connection")
        }
        for argv in argvs {
            let appended = argv.withUnsafeArgv { argc, argv, lengths in
                redisAppendCommandArgv(self.context, argc, argv, lengths)
            }
            guard appended == REDIS_OK else { throw self.markBroken() }
        }
        var results: [Result<RedisReply, RedisError>] = []
        results.reserveCapacity(argvs.count)
        for _ in argvs {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(self.context, &raw) == REDIS_OK, let raw else { throw self.markBroken() }
            defer { freeReplyObject(raw) }
            let reply: RedisReply
            do {
                reply = try RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self))
            } catch {
                self.broken.store(true, ordering: .releasing)  // later replies are unread: never lend this on
                throw error
            }
            if case .error(let message) = reply {
                results.append(.failure(RedisError(serverMessage: message)))
            } else {
                results.append(.success(reply))
            }
        }
        return results
    }

    /// Copies the context's error (before `errno` can change) and marks the connection unusable.
    func markBroken() -> RedisError {
        let error = RedisError(failedContext: self.context, errno: errno, connecting: false)
        self.broken.store(true, ordering: .releasing)
        return error
    }
}
