import Logging

/// Listens to pub/sub channels on a connection of its own, and comes back after any failure.
///
/// Whoever caches what the channels announce must drop the cache on `.subscribed`: it follows every
/// (re)connection, after which messages sent while disconnected are lost for good. A silent connection is
/// noticed by pinging every second; three seconds without an answer count as a loss.
public struct RedisSubscriber: Sendable {
    public enum Event: Sendable, Equatable {
        /// Listening (again); anything may have been missed before this.
        case subscribed
        case message(channel: String, payload: String)
        /// The connection was lost; `.subscribed` follows once it is back.
        case disconnected
    }

    public let endpoint: RedisEndpoint
    public let channels: [String]
    public let restorationGate: RedisRestorationGate?
    public let logger: Logger

    public init(endpoint: RedisEndpoint, channels: [String], restorationGate: RedisRestorationGate? = nil, logger: Logger) {
        self.endpoint = endpoint
        self.restorationGate = restorationGate
        self.channels = channels
        self.logger = logger
    }

    /// Runs until the task is cancelled, handing every event to `handle`.
    public func run(_ handle: @Sendable (Event) -> Void) async {
        var backoff = Duration.milliseconds(50)
        while !Task.isCancelled {
            do {
                let connection = try await RedisConnection.connect(to: self.endpoint, commandTimeout: .seconds(2))
                // Subscribed means "drop what you cached": not before Redis holds the keys again.
                try await self.restorationGate?.admit(connection)
                try await connection.subscribe(self.channels)
                backoff = .milliseconds(50)
                handle(.subscribed)
                try await self.listen(on: connection, handle)
            } catch {
                self.logger.warning("redis subscription lost", metadata: ["goosey.redis.error": "\(error)"])
            }
            handle(.disconnected)
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
    }

    private func listen(on connection: RedisConnection, _ handle: @Sendable (Event) -> Void) async throws(RedisError) {
        let clock = ContinuousClock()
        var lastPing = clock.now
        var lastAnswer = clock.now
        while !Task.isCancelled {
            if let push = try await connection.nextPush(timeout: .milliseconds(200)) {
                lastAnswer = clock.now
                if let event = Self.event(from: push) { handle(event) }
            }
            if lastPing.duration(to: clock.now) >= .seconds(1) {
                try await connection.sendPing()
                lastPing = clock.now
            }
            if lastAnswer.duration(to: clock.now) >= .seconds(3) {
                throw RedisError(kind: .timeout, detail: "the subscription stopped answering pings")
            }
        }
    }

    static func event(from push: RedisReply) -> Event? {
        guard let parts = push.array, parts.count == 3, parts[0].string == "message",
            let channel = parts[1].string, let payload = parts[2].string
        else { return nil }
        return .message(channel: channel, payload: payload)
    }
}
