import Foundation
import Shared

/// The requests of one simulated Claude Code session: the same system prompt (with this session's
/// environment) and tools every turn, and a conversation that grows by a tool result and an answer per
/// turn, from about 50 KB to 800 KB.
struct ClaudeCodeSession {
    let index: Int
    let turns: Int
    private var generator: SeededGenerator
    private var head: [UInt8]
    private var messages: [[UInt8]] = []

    static let vocabulary = [
        "func", "let", "var", "return", "struct", "import", "Sources", "Tests", "package", "swift", "build", "error:",
        "warning:", "main.swift", "README.md", "the", "a", "of", "to", "in", "is", "request", "response", "student",
        "quota", "edge", "coordinator", "Redis", "Postgres", "stream", "token", "cache", "input", "output", "{", "}",
        "(", ")", "0", "1", "42", "2026-11-23", "drwxr-xr-x", "-rw-r--r--", "root", "4096", "total",
    ]

    init(index: Int, turns: Int, sharedPrompt: String, tools: String) {
        self.index = index
        self.turns = turns
        self.generator = SeededGenerator(seed: UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        let environment = "Working directory: /home/student\(index)/assignment\\nIs a git repository: true\\nToday's date: 2026-11-23"
        self.head = Array(
            (#"{"model":"claude-sonnet-4-5","max_tokens":32000,"stream":true,"system":[{"type":"text","text":""#
                + sharedPrompt + "\\n" + environment + #"","cache_control":{"type":"ephemeral"}}],"tools":"# + tools
                + #","messages":["#).utf8
        )
    }

    /// The next turn's request body.
    mutating func nextBody() -> [UInt8] {
        let turn = self.messages.count / 2
        self.messages.append(Array(
            (#"{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_\#(self.index)_\#(turn)","content":""#
                + self.words(bytes: turn == 0 ? 2_000 : 15_000) + #""}]}"#).utf8
        ))
        var body = self.head
        for (position, message) in self.messages.enumerated() {
            if position > 0 { body.append(UInt8(ascii: ",")) }
            body += message
        }
        body += Array("]}".utf8)
        self.messages.append(Array((#"{"role":"assistant","content":""# + self.words(bytes: 4_000) + #""}"#).utf8))
        return body
    }

    private mutating func words(bytes: Int) -> String {
        var text = ""
        text.reserveCapacity(bytes + 16)
        while text.utf8.count < bytes {
            text += Self.vocabulary[Int(self.generator.next() % UInt64(Self.vocabulary.count))]
            text += self.generator.next() % 12 == 0 ? "\\n" : " "
        }
        return text
    }
}
