import Foundation

/// One line of progress on standard error when it is a terminal; nothing when piped.
struct ProgressBar: Sendable {
    let label: String
    let onTerminal = isatty(STDERR_FILENO) == 1

    func show(_ done: Int, of total: Int?) {
        if let total, total > 0 {
            let filled = min(30, done * 30 / total)
            self.write("\(self.label) [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: 30 - filled))] \(done)/\(total)")
        } else {
            self.write("\(self.label) \(done)")
        }
    }

    /// Runs `operation`, which reports nothing itself (one request the coordinator answers whole), showing
    /// `step` and the seconds it has taken so far, so a long sync does not look hung.
    func whileWaiting<Result>(_ step: String, _ operation: () async throws -> Result) async throws -> Result {
        guard self.onTerminal else { return try await operation() }
        let started = ContinuousClock.now
        let ticker = Task {
            while !Task.isCancelled {
                let seconds = (ContinuousClock.now - started).components.seconds
                self.write("\(self.label): \(step) \(seconds) s")
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        defer { ticker.cancel() }
        let result = try await operation()
        let elapsed = ContinuousClock.now - started
        let tenths = elapsed.components.seconds * 10 + elapsed.components.attoseconds / 100_000_000_000_000_000
        self.write("\(self.label): \(step) done in \(tenths / 10).\(tenths % 10) s")
        self.finish()
        return result
    }

    func finish() {
        if self.onTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func write(_ line: String) {
        guard self.onTerminal else { return }
        // \r returns to the line's start and ESC[K clears what a longer earlier line left behind.
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }
}
