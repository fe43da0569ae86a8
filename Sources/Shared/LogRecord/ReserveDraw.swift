/// What a request drew on its course's reserve, as its record carries it to the coordinator: the draw was
/// granted in Redis, and the ledger (from which a Redis that lost its data is rebuilt) must have it too.
public struct ReserveDraw: Codable, Sendable, Equatable {
    /// In the policy's unit.
    public var amount: Int64
    /// The period it was granted for.
    public var periodIndex: Int64

    public init(amount: Int64, periodIndex: Int64) {
        self.amount = amount
        self.periodIndex = periodIndex
    }
}
