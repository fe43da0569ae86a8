import Shared

/// Requests and tokens by class, summed: one student's term, one day, one course.
struct UsageTotals: Sendable, Equatable {
    var requests: Int64 = 0
    var refusals: Int64 = 0
    var input: Int64 = 0
    var cacheWrite5m: Int64 = 0
    var cacheWrite1h: Int64 = 0
    var cacheRead: Int64 = 0
    var output: Int64 = 0
    /// In the course policy's unit: milli-tokens or pico-dollars.
    var charged: Int64 = 0
    var costPicoUSD: Int64 = 0

    /// The columns `UsageTotals.sums` selects, read from `row` starting at `offset`.
    init(_ row: PostgresRow, from offset: Int) {
        func number(_ index: Int) -> Int64 { Int64(row[offset + index] ?? "") ?? 0 }
        self.init(
            requests: number(0), refusals: number(1), input: number(2), cacheWrite5m: number(3), cacheWrite1h: number(4),
            cacheRead: number(5), output: number(6), charged: number(7), costPicoUSD: number(8)
        )
    }

    init(
        requests: Int64 = 0, refusals: Int64 = 0, input: Int64 = 0, cacheWrite5m: Int64 = 0, cacheWrite1h: Int64 = 0,
        cacheRead: Int64 = 0, output: Int64 = 0, charged: Int64 = 0, costPicoUSD: Int64 = 0
    ) {
        (self.requests, self.refusals, self.input, self.cacheWrite5m, self.cacheWrite1h) = (requests, refusals, input, cacheWrite5m, cacheWrite1h)
        (self.cacheRead, self.output, self.charged, self.costPicoUSD) = (cacheRead, output, charged, costPicoUSD)
    }

    /// The aggregate columns over `daily_usage`, in the order `init(_:from:)` reads them.
    static let sums = """
        sum(requests), sum(refusals), sum(input_tokens), sum(cache_write_5m_tokens), sum(cache_write_1h_tokens), \
        sum(cache_read_tokens), sum(output_tokens), sum(charge), sum(cost_pico_usd)
        """

    mutating func add(_ other: UsageTotals) {
        self.requests += other.requests
        self.refusals += other.refusals
        self.input += other.input
        self.cacheWrite5m += other.cacheWrite5m
        self.cacheWrite1h += other.cacheWrite1h
        self.cacheRead += other.cacheRead
        self.output += other.output
        self.charged += other.charged
        self.costPicoUSD += other.costPicoUSD
    }

    /// Weighted tokens by class (input, cache writes, cache reads, output), at `weights`.
    func weighted(_ weights: TokenWeights) -> [Int64] {
        [
            self.input * weights.inputMilli / 1000,
            (self.cacheWrite5m * weights.cacheWrite5mMilli + self.cacheWrite1h * weights.cacheWrite1hMilli) / 1000,
            self.cacheRead * weights.cacheReadMilli / 1000,
            self.output * weights.outputMilli / 1000,
        ]
    }

    static let weightedClasses = ["input", "cache writes", "cache reads", "output"]
}

extension QuotaPolicy {
    /// The weights a token course counts with; the standard ones for a dollar course's charts.
    var chartWeights: TokenWeights {
        if case .tokens(let weights) = self.unit { return weights }
        return .standard
    }
}
