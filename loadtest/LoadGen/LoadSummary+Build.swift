import Foundation
import NIOCore

extension LoadSummary {
    init(plan: LoadPlan, clock: RunClock, tally: ClientTally, peakInFlight: Int, connectTime: TimeAmount) {
        let non2xx = tally.statuses.filter { !(200..<300).contains($0.key) }.values.reduce(0, +)
        let failed = tally.errors.values.reduce(0, +)
        let answered = tally.statuses.values.reduce(0, +)
        let windowEnd = max(clock.end.uptimeNanoseconds, tally.lastEnd)
        let window = Double(windowEnd - clock.measureFrom.uptimeNanoseconds) / 1e9
        self.init(
            mode: plan.mode,
            url: plan.url,
            clients: plan.clients,
            targetRate: plan.mode == .paced ? plan.rate : nil,
            warmupSeconds: Self.seconds(plan.warmup),
            durationSeconds: Self.seconds(plan.mode == .concurrent ? plan.ramp : plan.duration),
            requestBodyBytes: plan.request(for: 0).body.readableBytes,
            requests: answered + failed - tally.errors["truncated", default: 0],
            ok: tally.ok,
            non2xx: non2xx,
            statuses: Dictionary(uniqueKeysWithValues: tally.statuses.map { (String($0.key), $0.value) }),
            errors: tally.errors,
            connectFailures: tally.connectFailures,
            achievedRate: window > 0 ? (Double(answered) / window * 10).rounded() / 10 : 0,
            ttfbMs: Percentiles(tally.ttfb),
            totalMs: Percentiles(tally.total),
            sendLagMs: Percentiles(tally.sendLag),
            responseBodyBytes: tally.bodyBytes,
            connectSeconds: Self.seconds(connectTime),
            peakInFlight: peakInFlight,
            loadGenCPUSeconds: ProcessCPU.seconds(),
            firstNon2xx: tally.firstNon2xx,
            concurrent: plan.mode == .concurrent
                ? Concurrent(
                    onTimeSeconds: Self.seconds(plan.onTime),
                    onTime: tally.onTime,
                    late: tally.ok - tally.onTime,
                    peakInFlight: peakInFlight,
                    rampSeconds: Self.seconds(plan.ramp)
                ) : nil
        )
    }

    static func seconds(_ amount: TimeAmount) -> Double {
        (Double(amount.nanoseconds) / 1e6).rounded() / 1e3
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// One line for people: counts, rate and the latencies that matter.
    var humanLine: String {
        let errors = self.errors.values.reduce(0, +)
        var line = "\(self.mode.rawValue) \(self.clients) clients: \(self.requests) requests, \(self.ok) ok, "
        line += "\(self.non2xx) non-2xx, \(errors) errors, \(self.achievedRate) req/s; "
        line += "TTFB p50 \(self.ttfbMs.p50) p90 \(self.ttfbMs.p90) p99 \(self.ttfbMs.p99) max \(self.ttfbMs.max) ms; "
        line += "total p50 \(self.totalMs.p50) p99 \(self.totalMs.p99) ms"
        if let concurrent = self.concurrent {
            line +=
                "; \(concurrent.onTime) on time (≤ \(concurrent.onTimeSeconds) s), peak in flight \(concurrent.peakInFlight)"
        }
        return line
    }
}
