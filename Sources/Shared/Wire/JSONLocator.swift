/// Where in a JSON document a byte is, as a path a person can follow: `messages[3].content[0].content`.
///
/// For telling a student and their staff where a secret was found; the document is assumed valid (the
/// edge checks bodies first) and object keys unescaped, as the Messages API's are.
public enum JSONLocator {
    enum Frame {
        case object(key: String?)
        case array(index: Int)
    }

    public static func path(to offset: Int, in bytes: UnsafeRawBufferPointer) -> String {
        var stack: [Frame] = []
        var expectingKey = false
        var index = 0
        scan: while index < bytes.count, index <= offset {
            switch bytes[index] {
            case UInt8(ascii: "{"):
                stack.append(.object(key: nil))
                expectingKey = true
            case UInt8(ascii: "["):
                stack.append(.array(index: 0))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = stack.popLast()
            case UInt8(ascii: ","):
                if case .array(let position) = stack.last { stack[stack.count - 1] = .array(index: position + 1) } else { expectingKey = true }
            case UInt8(ascii: ":"):
                expectingKey = false
            case UInt8(ascii: "\""):
                let end = Self.stringEnd(from: index, in: bytes)
                if expectingKey, case .object = stack.last {
                    stack[stack.count - 1] = .object(key: String(decoding: bytes[(index + 1)..<max(index + 1, end - 1)], as: UTF8.self))
                }
                if offset < end { break scan }
                index = end
                continue
            default:
                break
            }
            index += 1
        }
        return Self.render(stack)
    }

    /// Just past the closing quote of the string whose opening quote is at `start`.
    private static func stringEnd(from start: Int, in bytes: UnsafeRawBufferPointer) -> Int {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            default: index += 1
            }
        }
        return bytes.count
    }

    private static func render(_ stack: [Frame]) -> String {
        var path = ""
        for frame in stack {
            switch frame {
            case .object(let key?): path += path.isEmpty ? key : "." + key
            case .object(nil): break
            case .array(let index): path += "[\(index)]"
            }
        }
        return path.isEmpty ? "the body" : path
    }
}
