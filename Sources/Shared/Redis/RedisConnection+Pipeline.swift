extension RedisConnection {
    /// Sends several commands in one write and reads their replies in order: one round trip for all.
    ///
    /// Each reply stands alone: one command's error reply does not stop the others.
    /// - Parameter sendWithin: how long the commands may wait to go out with the next command sent on this
    ///   connection, sparing Redis a wake-up of its own for them; nil sends them at once.
    /// - Throws: `RedisError` for a failure of the connection itself (nothing is known of any reply).
    public func pipeline(_ commands: [[String]], sendWithin: Duration? = nil) async throws(RedisError) -> [Result<RedisReply, RedisError>] {
        let argvs = commands.map { RedisArgv($0.lazy.map(\.utf8)) }
        guard argvs.allSatisfy({ $0.count > 0 }) else {
            throw RedisError(kind: .invalidCommand, detail: "a pipelined command was empty")
        }
        guard !argvs.isEmpty else { return [] }
        return try await self.send(argvs, expectedReplies: argvs.count, sendWithin: sendWithin)
    }
}
