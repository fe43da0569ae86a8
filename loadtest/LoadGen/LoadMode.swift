import ArgumentParser

/// How requests are issued.
enum LoadMode: String, CaseIterable, Sendable, Codable, ExpressibleByArgument {
    /// Open loop at a fixed aggregate rate; latency from the scheduled send time.
    case paced
    /// Back to back on every connection.
    case closed
    /// One request per connection, all connections open at once.
    case concurrent
}
