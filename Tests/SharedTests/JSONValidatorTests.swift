import Testing

@testable import Shared

@Suite struct JSONValidatorTests {
    @Test(arguments: [
        #"{"model":"claude-sonnet-4-6","max_tokens":1024,"messages":[{"role":"user","content":"hi"}]}"#,
        #"  [1, -2.5e+3, 0, true, false, null, "\u00e9\n\"\/", {}, []]  "#,
        "\"caf\u{e9} \u{1F600}\"",
        "0",
    ])
    func acceptsValidJSON(text: String) {
        #expect(JSONValidator.validate(Array(text.utf8)) == nil)
    }

    @Test(arguments: [
        "", "{", #"{"a":}"#, #"{"a" 1}"#, "[1,]", "01", "1.", "-", "tru", #""\x""#, #""\u12G4""#,
        "\"a\u{1}b\"", "{} {}", "[1 2]", #"{"a":1,}"#, "nul",
    ])
    func rejectsInvalidJSON(text: String) {
        #expect(JSONValidator.validate(Array(text.utf8)) != nil)
    }

    @Test func rejectsInvalidUTF8InsideStrings() {
        #expect(JSONValidator.validate([0x22, 0xC3, 0x28, 0x22]) != nil)  // bad continuation
        #expect(JSONValidator.validate([0x22, 0xC0, 0xAF, 0x22]) != nil)  // overlong
        #expect(JSONValidator.validate([0x22, 0xED, 0xA0, 0x80, 0x22]) != nil)  // surrogate
        #expect(JSONValidator.validate([0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22]) == nil)  // 😀
    }

    @Test func refusesNestingPastTheLimitWithoutCrashing() {
        let deep = Array(repeating: UInt8(ascii: "["), count: 100_000) + Array(repeating: UInt8(ascii: "]"), count: 100_000)
        #expect(JSONValidator.validate(deep)?.reason == "nested too deeply")
        let fine = Array(repeating: UInt8(ascii: "["), count: 100) + Array(repeating: UInt8(ascii: "]"), count: 100)
        #expect(JSONValidator.validate(fine) == nil)
    }

    @Test func failureSaysWhere() {
        #expect(JSONValidator.validate(Array(#"{"a":[1,2,}"#.utf8))?.offset == 10)
    }

    /// Long strings are skipped eight bytes at a time: whatever lands at any place in such a word (or
    /// in the tail after the last whole word) must still be seen, at the right byte.
    @Test(arguments: [
        (UInt8(0x0A), "control character in a string"), (UInt8(0x7F), nil), (UInt8(0xFF), "invalid UTF-8"),
    ] as [(UInt8, String?)])
    func everyPositionOfALongStringIsChecked(byte: UInt8, reason: String?) {
        for position in 0..<72 {
            var text = Array(repeating: UInt8(ascii: "a"), count: 72)
            text[position] = byte
            let failure = JSONValidator.validate([UInt8(ascii: "\"")] + text + [UInt8(ascii: "\"")])
            #expect(failure?.reason == reason, "byte \(byte) at \(position)")
            if reason != nil { #expect(failure?.offset == position + 1, "byte \(byte) at \(position)") }
        }
    }

    @Test func quotesAndEscapesAnywhereInALongStringAreSeen() {
        for position in 0..<72 {
            var text = Array(repeating: UInt8(ascii: "a"), count: 72)
            text[position] = UInt8(ascii: "\"")  // ends the string early: what follows is garbage
            #expect(JSONValidator.validate([UInt8(ascii: "\"")] + text + [UInt8(ascii: "\"")])?.offset == position + 2)
            text[position] = UInt8(ascii: "\\")
            text[min(position + 1, 71)] = UInt8(ascii: "n")
            #expect(JSONValidator.validate([UInt8(ascii: "\"")] + text + [UInt8(ascii: "\"")]) == nil)
        }
    }
}
