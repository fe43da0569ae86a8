import Foundation

/// The deterministic words the mock "generates".
enum MockText {
    /// Answer words; one includes quotes and one a newline so gateways' JSON unescaping is exercised.
    static let answerWords = [
        "Hello", " from", " the", " \"Goosey\"", " mock", " upstream.", "\n", "This", " reply", " is",
        " deterministic", " and", " repeats", " itself", " when", " asked", " for", " more.",
    ]
    static let thinkingWords = ["Let", " me", " think", " about", " this", " request", " carefully", "."]
    static let toolIntroWords = ["I'll", " run", " the", " command", " now."]
    /// `{"command": "echo goosey-roundtrip"}` in pieces, starting with `""` as real streams do.
    static let toolInputPieces = ["", "{\"command\": ", "\"echo goo", "sey-roundtrip\"}"]
    /// The tool input as one object (non-streaming bodies).
    static let toolInputJSON = "{\"command\":\"echo goosey-roundtrip\"}"
    /// `{"command": "cat .env"}` in pieces (the `read_env` scenario).
    static let readEnvInputPieces = ["", "{\"command\": ", "\"cat .e", "nv\"}"]

    /// The tool input of `pieces` as one compact object, for non-streaming bodies.
    static func toolInputJSON(of pieces: [String]) -> String {
        pieces == Self.toolInputPieces ? Self.toolInputJSON : #"{"command":"cat .env"}"#
    }
    static let signature = "EqQBCgIYAhIMgooseyMockSignatureAAAAbmock+/sigAA=="

    /// `count` pieces cycling through `words`.
    static func pieces(_ words: [String], count: Int) -> [String] {
        (0..<count).map { words[$0 % words.count] }
    }

    static func answer(_ count: Int) -> [String] {
        Self.pieces(Self.answerWords, count: count)
    }

    /// Splits `text` into word pieces, each space starting a new piece.
    static func words(of text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            if character == " ", !current.isEmpty, current.last != " " {
                pieces.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    /// A tool result as quoted back: trimmed and at most 200 characters, so huge outputs stay cheap.
    static func clip(_ text: String) -> String {
        String(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
    }
}
