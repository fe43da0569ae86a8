/// Markup that is safe to send: text reaches it only through ``escape(_:)`` or string interpolation,
/// which escapes; other `HTML` values interpolate as they are.
struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    private(set) var markup: String

    init(stringLiteral value: String) { self.markup = value }
    init(stringInterpolation: Interpolation) { self.markup = stringInterpolation.markup }
    private init(markup: String) { self.markup = markup }

    var description: String { self.markup }

    static func join(_ parts: some Sequence<HTML>, separator: String = "") -> HTML {
        HTML(markup: parts.map(\.markup).joined(separator: separator))
    }

    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 16)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    struct Interpolation: StringInterpolationProtocol {
        var markup = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            self.markup.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        mutating func appendLiteral(_ literal: String) { self.markup += literal }
        mutating func appendInterpolation(_ html: HTML) { self.markup += html.markup }
        mutating func appendInterpolation(_ html: [HTML]) { for part in html { self.markup += part.markup } }
        mutating func appendInterpolation(_ text: String) { self.markup += HTML.escape(text) }
        mutating func appendInterpolation(_ number: some BinaryInteger) { self.markup += String(number) }
        mutating func appendInterpolation(_ text: String?) { self.markup += text.map(HTML.escape) ?? "" }
    }
}
