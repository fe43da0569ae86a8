/// The built-in request body: what Claude Code sends mid-task. A system prompt with `cache_control`,
/// a tools array, a conversation with tool_use/tool_result turns, `"stream": true`. The first
/// tool_result (a file Claude read) is padded so the body is `targetBytes` long.
///
/// The last user message is plain text, so the mock answers with its `text` scenario and
/// `x-mock-deltas` sets the answer's length.
enum ClaudeCodeBody {
    static let model = "claude-sonnet-4-6"

    /// A compact JSON body of exactly `targetBytes` bytes, or the smallest body the shape allows.
    static func make(targetBytes: Int) -> String {
        let full = Self.document(compact: false, filler: "").text.utf8.count
        let compact = targetBytes < full
        let base = compact ? Self.document(compact: true, filler: "").text.utf8.count : full
        return Self.document(compact: compact, filler: Self.filler(encodedBytes: targetBytes - base)).text
    }

    static func document(compact: Bool, filler: String) -> JSONValue {
        .object([
            ("model", .string(Self.model)),
            ("messages", .array(Self.messages(compact: compact, filler: filler))),
            ("temperature", 1),
            ("system", .array(Self.system(compact: compact))),
            ("tools", .array(compact ? Array(ClaudeCodeTools.all.prefix(2)) : ClaudeCodeTools.all)),
            (
                "metadata",
                .object([("user_id", "user_5d1c0b7e9a_account__session_7f3b2a64-9c1e-4d7a-8b25-3e0f6c9d1a42")])
            ),
            ("max_tokens", 32000),
            ("stream", true),
        ])
    }

    static func system(compact: Bool) -> [JSONValue] {
        [
            Self.text("You are Claude Code, Anthropic's official CLI for Claude.", cached: true),
            Self.text(
                compact ? ClaudeCodeText.instructions[0] : ClaudeCodeText.instructions.joined(separator: "\n\n"),
                cached: true
            ),
        ]
    }

    static func messages(compact: Bool, filler: String) -> [JSONValue] {
        let reminder = compact ? "<system-reminder>\nThis is a reminder.\n</system-reminder>" : ClaudeCodeText.reminder
        return [
            Self.message("user", [Self.text(reminder), Self.text(ClaudeCodeText.task)]),
            Self.message(
                "assistant",
                [
                    Self.text("I'll start by reading the parser and its tests."),
                    Self.toolUse(
                        "toolu_01A9xQ3mWcN7",
                        "Read",
                        [("file_path", "/home/student/calc/Sources/Calc/Parser.swift")]
                    ),
                ]
            ),
            Self.message("user", [Self.toolResult("toolu_01A9xQ3mWcN7", ClaudeCodeText.fileHeader + filler)]),
            Self.message(
                "assistant",
                [
                    Self.toolUse(
                        "toolu_01Kd82LpQz4V",
                        "Bash",
                        [
                            ("command", "swift test --filter ParserTests 2>&1 | tail -40"),
                            ("description", "Run the parser tests"),
                        ]
                    )
                ]
            ),
            Self.message("user", [Self.toolResult("toolu_01Kd82LpQz4V", ClaudeCodeText.testOutput)]),
            Self.message("assistant", [Self.text(ClaudeCodeText.diagnosis)]),
            Self.message("user", [Self.text("Yes, please fix it and run the tests again.", cached: true)]),
        ]
    }

    /// Lines of a numbered source listing (Claude Code's Read output) taking `encodedBytes` JSON bytes.
    static func filler(encodedBytes: Int) -> String {
        var out = ""
        var used = 0
        var line = 1
        while true {
            let next = ClaudeCodeText.listingLine(line) + "\n"
            let cost = JSONValue.encodedLength(next)
            guard used + cost <= encodedBytes else { break }
            out += next
            used += cost
            line += 1
        }
        return out + String(repeating: " ", count: max(0, encodedBytes - used))
    }

    // MARK: - Blocks

    static func text(_ text: String, cached: Bool = false) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", "text"), ("text", .string(text))]
        if cached { members.append(("cache_control", .object([("type", "ephemeral")]))) }
        return .object(members)
    }

    static func message(_ role: String, _ content: [JSONValue]) -> JSONValue {
        .object([("role", .string(role)), ("content", .array(content))])
    }

    static func toolUse(_ id: String, _ name: String, _ input: [(String, JSONValue)]) -> JSONValue {
        .object([("type", "tool_use"), ("id", .string(id)), ("name", .string(name)), ("input", .object(input))])
    }

    static func toolResult(_ id: String, _ content: String) -> JSONValue {
        .object([("tool_use_id", .string(id)), ("type", "tool_result"), ("content", .string(content))])
    }
}
