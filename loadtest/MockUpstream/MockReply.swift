/// The assistant message the mock produces, independent of SSE or JSON framing.
struct MockReply: Sendable {
    enum Block: Sendable, Equatable {
        case thinking(deltas: [String], signature: String)
        case text(deltas: [String])
        case toolUse(id: String, name: String, inputPieces: [String])
    }

    /// How the answer ends.
    enum Ending: Sendable, Equatable {
        /// message_delta + message_stop.
        case complete
        /// `event: error` overloaded_error right after the last delta.
        case errorEvent
        /// Nothing after the last delta (the connection "drops").
        case cut
        /// Silence after the last delta, the connection left open.
        case stall
        /// The connection dropped after the last delta, the response never ended.
        case reset
    }

    var messageID: String
    var model: String
    var blocks: [Block]
    var stopReason: String
    var ending: Ending
    /// Input side from the request; `outputTokens` counts every generated piece.
    var usage: MockUsage

    var isComplete: Bool { self.ending == .complete }
}

extension MockReply {
    /// Builds the reply for a scenario that streams (every scenario but the HTTP error ones).
    init(choice: MockChoice, model: String, idSuffix: String, usage: MockUsage) {
        self.messageID = "msg_" + idSuffix
        self.model = model
        self.stopReason = "end_turn"
        self.ending = .complete
        self.usage = usage
        switch choice.scenario {
        case .thinking:
            let thinking = MockText.pieces(MockText.thinkingWords, count: max(1, choice.deltas / 2))
            self.blocks = [
                .thinking(deltas: thinking, signature: MockText.signature),
                .text(deltas: MockText.answer(choice.deltas)),
            ]
            self.usage.thinkingTokens = thinking.count
        case .toolUse, .readEnv:
            let input = choice.scenario == .readEnv ? MockText.readEnvInputPieces : MockText.toolInputPieces
            self.blocks = [
                .text(deltas: MockText.pieces(MockText.toolIntroWords, count: choice.deltas)),
                .toolUse(id: "toolu_" + idSuffix, name: "Bash", inputPieces: input),
            ]
            self.stopReason = "tool_use"
        case .errorMidstream, .noFinalUsage, .stall, .reset:
            self.blocks = [.text(deltas: MockText.answer(max(1, choice.deltas / 2)))]
            self.ending = switch choice.scenario {
            case .errorMidstream: .errorEvent
            case .stall: .stall
            case .reset: .reset
            default: .cut
            }
        case .text, .slow, .overloaded, .rateLimited, .hang:
            if let toolResult = choice.toolResultText {
                self.blocks = [.text(deltas: MockText.words(of: "The command printed: " + MockText.clip(toolResult)))]
            } else {
                self.blocks = [.text(deltas: MockText.answer(choice.deltas))]
            }
        }
        self.usage.outputTokens = max(1, self.blocks.reduce(0) { $0 + $1.pieceCount })
        if choice.webSearch {
            self.usage.serverToolUse = .init(webSearchRequests: 1)
        }
    }
}

extension MockReply.Block {
    /// Generated pieces: one output token each in the mock's accounting.
    var pieceCount: Int {
        switch self {
        case .thinking(let deltas, _): deltas.count
        case .text(let deltas): deltas.count
        case .toolUse(_, _, let pieces): pieces.count
        }
    }
}
