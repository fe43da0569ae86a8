extension TOMLSubset {
    /// Walks one line of the file.
    struct Cursor {
        var text: Substring
        let line: Int

        init(text: Substring, line: Int) {
            self.text = text.hasSuffix("\r") ? text.dropLast() : text
            self.line = line
        }

        var peek: Character? { self.text.first }
        var atEndOrComment: Bool { self.text.isEmpty || self.text.first == "#" }

        func error(_ reason: String) -> ParseError { ParseError(line: self.line, reason: reason) }

        mutating func skipSpaces() {
            self.text = self.text.drop { $0 == " " || $0 == "\t" }
        }

        mutating func expect(_ character: Character) throws {
            guard self.text.first == character else { throw self.error("expected `\(character)`") }
            self.text.removeFirst()
        }

        mutating func readTableHeader() throws -> [String] {
            try self.expect("[")
            self.skipSpaces()
            let key = try self.readKey()
            self.skipSpaces()
            try self.expect("]")
            self.skipSpaces()
            guard self.atEndOrComment else { throw self.error("unexpected text after the table header") }
            return key
        }

        /// A dotted key of bare (`a-z A-Z 0-9 _ -`) or quoted parts.
        mutating func readKey() throws -> [String] {
            var parts: [String] = []
            repeat {
                self.skipSpaces()
                if self.peek == "\"" {
                    parts.append(try self.readString())
                } else {
                    let bare = self.text.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
                    guard !bare.isEmpty else { throw self.error("expected a key") }
                    parts.append(String(bare))
                    self.text.removeFirst(bare.count)
                }
                self.skipSpaces()
            } while self.text.first == "." && self.text.removeFirst() == "."
            return parts
        }

        mutating func readValue() throws -> Value {
            switch self.peek {
            case "\"": return .string(try self.readString())
            case "[": return try self.readArray()
            case nil: throw self.error("expected a value")
            default: return try self.readScalar()
            }
        }

        mutating func readArray() throws -> Value {
            try self.expect("[")
            var elements: [Value] = []
            while true {
                self.skipSpaces()
                if self.peek == "]" { break }
                elements.append(try self.readValue())
                self.skipSpaces()
                if self.peek == "," { self.text.removeFirst() } else { break }
            }
            try self.expect("]")
            return .array(elements)
        }

        mutating func readScalar() throws -> Value {
            let token = self.text.prefix { !" \t#,]".contains($0) }
            self.text.removeFirst(token.count)
            let plain = String(token.filter { $0 != "_" })
            if token == "true" { return .boolean(true) }
            if token == "false" { return .boolean(false) }
            if let integer = Int(plain) { return .integer(integer) }
            if let float = Double(plain) { return .float(float) }
            throw self.error("`\(token)` is not a string, number or boolean (strings need double quotes)")
        }

        /// A basic string in double quotes with the usual escapes.
        mutating func readString() throws -> String {
            try self.expect("\"")
            var result = ""
            while let character = self.text.popFirst() {
                switch character {
                case "\"": return result
                case "\\": result.append(try self.readEscape())
                default: result.append(character)
                }
            }
            throw self.error("the string is not closed")
        }

        mutating func readEscape() throws -> Character {
            guard let escaped = self.text.popFirst() else { throw self.error("the string is not closed") }
            switch escaped {
            case "n": return "\n"
            case "t": return "\t"
            case "r": return "\r"
            case "\"": return "\""
            case "\\": return "\\"
            case "u":
                let hex = self.text.prefix(4)
                self.text.removeFirst(hex.count)
                guard hex.count == 4, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                    throw self.error("bad \\u escape")
                }
                return Character(scalar)
            default: throw self.error("unknown escape `\\\(escaped)`")
            }
        }
    }
}
