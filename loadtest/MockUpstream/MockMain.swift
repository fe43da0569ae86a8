import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// `goosey-mock`: a stand-in for api.anthropic.com used by tests and benchmarks.
@main
struct MockMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goosey-mock",
        abstract: "Mock Anthropic Messages API upstream for Goosey tests and load tests."
    )

    @Option(help: "Interface to bind.") var host = "127.0.0.1"
    @Option(help: "Port to bind (0 = any free port).") var port = 8090
    @Option(help: "Accepted API key (default: $MOCK_API_KEY, else sk-ant-api03-mock).") var apiKey: String?
    @Option(help: "Text deltas per text block.") var deltas = 8
    @Option(help: "Milliseconds between SSE events.") var delayMs = 0

    func run() async throws {
        // Connections' tasks run on their own loops (`LoopBoundHTTP1Channel`); this puts every other task on NIO's
        // loops as well, not on Swift's own threads: the mock shares the benchmark machine's cores with what it measures.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let apiKey =
            self.apiKey ?? ProcessInfo.processInfo.environment["MOCK_API_KEY"] ?? MockConfiguration.defaultAPIKey
        let configuration = MockConfiguration(
            host: self.host,
            port: self.port,
            apiKey: apiKey,
            deltas: self.deltas,
            delayMs: self.delayMs
        )
        try await buildMockApplication(configuration, logger: Logger(label: "goosey-mock")).runService()
    }
}
