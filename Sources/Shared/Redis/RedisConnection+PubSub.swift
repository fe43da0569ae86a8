/// The subscriber side of pub/sub, used only by `RedisSubscriber` on a connection of its own.
extension RedisConnection {
    /// Subscribes to each channel with a `SUBSCRIBE` of its own (a refusal is then one error reply
    /// per command, never a missing confirmation) and waits for every confirmation.
    func subscribe(_ channels: [String]) async throws(RedisError) {
        let commands = channels.map { RedisArgv(["SUBSCRIBE", $0].lazy.map(\.utf8)) }
        let confirmations = try await self.send(commands, expectedReplies: commands.count)
        for (confirmation, channel) in zip(confirmations, channels) {
            // A refusal (an ACL without the channel) must not pass for a live subscription.
            let reply = try confirmation.get()
            guard let parts = reply.array, parts.count == 3, parts[0].string == "subscribe", parts[1].string == channel else {
                throw RedisError(kind: .protocolError, detail: "SUBSCRIBE was not confirmed")
            }
        }
    }

    /// Sends `PING`, whose answer arrives among the pushes as `["pong", ""]`.
    func sendPing() async throws(RedisError) {
        _ = try await self.send([RedisArgv(["PING"].lazy.map(\.utf8))], expectedReplies: 0)
    }
}
