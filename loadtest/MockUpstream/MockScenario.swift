import HTTPTypes
import Hummingbird

/// What the mock answers to a `POST /v1/messages`.
public enum MockScenario: String, CaseIterable, Sendable, Codable {
    /// One text block, `end_turn`.
    case text
    /// A thinking block (thinking_delta + signature_delta), then text.
    case thinking
    /// Text, then a `Bash` tool_use block streamed as input_json_delta pieces; `tool_use`.
    case toolUse = "tool_use"
    /// As `tool_use`, but the command is `cat .env` (a student's secrets reaching the conversation).
    case readEnv = "read_env"
    /// Some text, then `event: error` (overloaded_error); no message_delta or message_stop.
    case errorMidstream = "error_midstream"
    /// HTTP 529 overloaded_error envelope.
    case overloaded
    /// HTTP 429 rate_limit_error envelope with `retry-after: 7`.
    case rateLimited = "rate_limited"
    /// Some text, then the stream ends without message_delta (a cut connection).
    case noFinalUsage = "no_final_usage"
    /// The text scenario with 50 ms between events unless `x-mock-delay-ms` says otherwise.
    case slow
    /// Some text, then the stream goes silent and stays open (an upstream that stalls).
    case stall
    /// Some text, then the connection is dropped without ending the response (a reset mid-stream).
    case reset
    /// Accepts the request and never answers, not even the status line.
    case hang
}

/// The scenario chosen for one request, and the per-request knobs.
struct MockChoice: Sendable, Equatable {
    var scenario: MockScenario
    /// Set when the last user message carries a `tool_result`: the reply quotes it (Claude Code round trip).
    var toolResultText: String?
    var deltas: Int
    var delayMs: Int
    var webSearch: Bool
}

extension MockChoice {
    /// Picks the scenario: the `x-mock-scenario` header, else a tool_result round trip, else a
    /// `[mock:NAME]` marker in the last user message (earlier turns are re-sent every turn), else `text`.
    /// - Throws: ``MockError`` 400 for an unknown scenario name or a bad option header.
    init(headers: HTTPFields, request: MockMessagesRequest, configuration: MockConfiguration) throws(MockError) {
        if let name = headers[MockHeaderName.scenario] {
            self.scenario = try Self.scenario(named: name)
        } else if let toolResult = request.lastToolResultText {
            self.scenario = .text
            self.toolResultText = toolResult
        } else if let name = request.lastUserMarker {
            self.scenario = try Self.scenario(named: name)
        } else {
            self.scenario = .text
        }
        self.deltas = try Self.option(headers, MockHeaderName.deltas) ?? configuration.deltas
        self.deltas = min(max(self.deltas, 1), 100_000)
        let defaultDelay = self.scenario == .slow ? max(50, configuration.delayMs) : configuration.delayMs
        self.delayMs = min(max(try Self.option(headers, MockHeaderName.delayMs) ?? defaultDelay, 0), 60_000)
        self.webSearch = headers[MockHeaderName.serverTool] == "web_search"
    }

    static func scenario(named name: String) throws(MockError) -> MockScenario {
        guard let scenario = MockScenario(rawValue: name) else {
            let known = MockScenario.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidRequest("unknown mock scenario '\(name)'; known: \(known)")
        }
        return scenario
    }

    static func option(_ headers: HTTPFields, _ name: HTTPField.Name) throws(MockError) -> Int? {
        guard let value = headers[name] else { return nil }
        guard let number = Int(value) else { throw .invalidRequest("\(name): expected an integer, got '\(value)'") }
        return number
    }
}
