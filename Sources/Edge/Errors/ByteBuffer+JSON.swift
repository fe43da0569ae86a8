import NIOCore

extension ByteBuffer {
    /// Writes `string` as the inside of a JSON string literal.
    mutating func writeJSONEscaped(_ string: String) {
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": self.writeStaticString("\\\"")
            case "\\": self.writeStaticString("\\\\")
            case "\n": self.writeStaticString("\\n")
            case "\r": self.writeStaticString("\\r")
            case "\t": self.writeStaticString("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                self.writeString("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: self.writeString(String(scalar))
            }
        }
    }
}
