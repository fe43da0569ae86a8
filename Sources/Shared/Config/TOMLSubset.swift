/// A reader for the part of TOML that `goosey.toml` uses: `[section]` and `[a.b]` tables,
/// `key = value` with strings, integers, floats, booleans and arrays of those, and `#` comments.
///
/// Every key comes out flattened to its dotted path, so `[http]` + `port = 8080` is `http.port`.
public enum TOMLSubset {
    public enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int)
        case float(Double)
        case boolean(Bool)
        case array([Value])
    }

    /// A problem in the file, with the line it is on (1-based) so staff can fix it.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(self.line): \(self.reason)" }
    }

    /// Parses `text` into dotted keys and values.
    /// - Throws: `ParseError` naming the first offending line; nothing is returned half-read.
    public static func parse(_ text: String) throws -> [String: Value] {
        var values: [String: Value] = [:]
        var table: [String] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var cursor = Cursor(text: Substring(rawLine), line: lineNumber)
            cursor.skipSpaces()
            if cursor.atEndOrComment { continue }
            if cursor.peek == "[" {
                table = try cursor.readTableHeader()
            } else {
                let key = table + (try cursor.readKey())
                cursor.skipSpaces()
                try cursor.expect("=")
                cursor.skipSpaces()
                let value = try cursor.readValue()
                cursor.skipSpaces()
                guard cursor.atEndOrComment else { throw cursor.error("unexpected text after the value") }
                let dotted = key.joined(separator: ".")
                guard values[dotted] == nil else { throw cursor.error("`\(dotted)` is set twice") }
                values[dotted] = value
            }
        }
        return values
    }
}
