import Foundation

/// A redis-server of the test's own, on a free port, that the test can kill and start again (its data
/// survives a restart through an append-only file, as a production Redis's would).
final class PrivateRedis: @unchecked Sendable {
    // @unchecked: `process` is only touched by the one test that owns this object, never concurrently.
    let port: Int
    let directory: URL
    private var process: Process?

    var url: String { "redis://127.0.0.1:\(self.port)" }

    init() throws {
        self.port = Int.random(in: 30_000...39_999)
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("goosey-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
    }

    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = [
            "--port", String(self.port), "--bind", "127.0.0.1", "--dir", self.directory.path,
            "--save", "", "--appendonly", "yes", "--appendfsync", "always",
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        try await self.waitUntilAnswering()
    }

    /// SIGKILL: no chance to say goodbye, as in a crash.
    func kill() {
        guard let process = self.process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    private func waitUntilAnswering() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
            probe.arguments = ["-p", String(self.port), "PING"]
            let output = Pipe()
            probe.standardOutput = output
            probe.standardError = FileHandle.nullDevice
            try probe.run()
            probe.waitUntilExit()
            if String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("PONG") { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CancellationError()
    }

    deinit {
        self.kill()
        try? FileManager.default.removeItem(at: self.directory)
    }
}
