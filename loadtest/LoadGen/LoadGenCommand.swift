import ArgumentParser
import Foundation
import NIOCore

/// `goosey-loadgen`: streamed-POST load against one loopback HTTP/1.1 endpoint, timing each request's
/// first response-body byte (TTFB) and its end.
@main
struct LoadGenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goosey-loadgen",
        abstract: "Load generator for Goosey: per-request body TTFB and total time of streamed POSTs.",
        discussion: """
            Modes:
              paced       open loop: --rate requests/s spread over --clients keep-alive connections; latency
                          is measured from each request's scheduled send time (no coordinated omission).
              closed      each client sends its next request as soon as the previous one ends.
              concurrent  each of --clients connections sends one request (spread over --ramp seconds);
                          a request is on time when it ends within --on-time seconds of its send.
            Prints a JSON summary on stdout and one human line on stderr. Targets 127.0.0.0/8 or ::1 only.
            """
    )

    @Option(help: "paced | closed | concurrent.") var mode: LoadMode = .paced
    @Option(help: "Target, e.g. http://127.0.0.1:8080/v1/messages?beta=true (loopback only).") var url: String
    @Option(help: "Virtual clients: one keep-alive connection each.") var clients = 16
    @Option(help: "Aggregate requests per second (paced mode).") var rate = 500.0
    @Option(help: "Measured seconds (paced and closed modes).") var duration = 20.0
    @Option(help: "Seconds of load before measuring (paced and closed modes).") var warmup = 0.0
    @Option(name: .customLong("header"), help: "Extra request header 'name: value' (repeatable).") var headers:
        [String] = []
    @Option(help: "File of credentials, one per line: client i sends line i mod n as its x-api-key (many students).")
    var keyFile: String?
    @Option(help: "File holding the request body (default: a built-in Claude Code-shaped body).") var bodyFile: String?
    @Option(help: "Size of the built-in body in bytes.") var bodyBytes = 51_200
    @Option(help: "Seconds before an unanswered request counts as a timeout.") var timeout = 30.0
    @Option(help: "Seconds over which concurrent mode spreads its sends.") var ramp = 0.0
    @Option(help: "Concurrent mode: seconds within which a request must end to be on time.") var onTime = 6.0
    @Option(help: "Event-loop threads of the load generator.") var threads = 1
    @Option(help: "Connections opened at once while connecting.") var connectBatch = 256
    @Flag(help: "Print the request body that would be sent, and exit.") var printBody = false

    func validate() throws {
        guard (1...50_000).contains(self.clients) else { throw ValidationError("--clients must be 1...50000") }
        guard self.rate > 0, self.rate <= 100_000 else { throw ValidationError("--rate must be in (0, 100000]") }
        guard self.duration > 0, self.duration <= 3600 else { throw ValidationError("--duration must be in (0, 3600]") }
        guard self.warmup >= 0, self.warmup <= 600 else { throw ValidationError("--warmup must be in [0, 600]") }
        guard self.timeout > 0, self.timeout <= 600 else { throw ValidationError("--timeout must be in (0, 600]") }
        guard self.ramp >= 0, self.ramp <= 600 else { throw ValidationError("--ramp must be in [0, 600]") }
        guard self.onTime > 0 else { throw ValidationError("--on-time must be positive") }
        guard (1...64).contains(self.threads) else { throw ValidationError("--threads must be 1...64") }
        guard self.connectBatch >= 1 else { throw ValidationError("--connect-batch must be positive") }
    }

    func run() async throws {
        let plan = try LoadPlan(command: self)
        if self.printBody {
            return print(String(buffer: plan.request(for: 0).body))
        }
        let summary = try await LoadRun(plan: plan).run()
        print(try summary.json())
        FileHandle.standardError.write(Data((summary.humanLine + "\n").utf8))
    }
}
