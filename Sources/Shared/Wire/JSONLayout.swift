/// Where the parts of a JSON text lie, as byte ranges into it: what content-addressed storage needs to
/// cut a body into blocks and put it back together byte for byte.
public enum JSONLayout {
    /// One member of an object: where it starts (its name's opening quote), its name's raw bytes (between
    /// the quotes, escapes as written) and its value's range.
    public struct Member {
        public var start: Int
        public var name: ArraySlice<UInt8>
        public var value: Range<Int>
    }

    /// The top-level members of a JSON object; nil when `bytes` are not one valid JSON object.
    public static func members(of bytes: UnsafeRawBufferPointer) -> [Member]? {
        Self.members(of: bytes, listingElementsOf: nil)?.members
    }

    /// The top-level members of a JSON object and, in the same pass, the element ranges of the member named
    /// `listed` when its value is an array (nil when there is none); nil when `bytes` are not one valid JSON
    /// object.
    public static func members(
        of bytes: UnsafeRawBufferPointer,
        listingElementsOf listed: ArraySlice<UInt8>?
    ) -> (members: [Member], elements: [Range<Int>]?)? {
        var elements: [Range<Int>]?
        var scanner = JSONValidator.Scanner(bytes: bytes, maxDepth: JSONValidator.defaultMaxDepth)
        var members: [Member] = []
        do throws(JSONValidator.Failure) {
            scanner.skipWhitespace()
            guard scanner.current == UInt8(ascii: "{") else { return nil }
            scanner.index += 1
            scanner.skipWhitespace()
            if scanner.current == UInt8(ascii: "}") {
                scanner.index += 1
            } else {
                while true {
                    guard scanner.current == UInt8(ascii: "\"") else { return nil }
                    let nameStart = scanner.index + 1
                    try scanner.string()
                    let name = ArraySlice(UnsafeRawBufferPointer(rebasing: bytes[nameStart..<(scanner.index - 1)]))
                    scanner.skipWhitespace()
                    guard scanner.current == UInt8(ascii: ":") else { return nil }
                    scanner.index += 1
                    scanner.skipWhitespace()
                    let valueStart = scanner.index
                    if name == listed && scanner.current == UInt8(ascii: "[") {
                        elements = try Self.elements(scanning: &scanner)
                    } else {
                        try scanner.value(depth: 1)
                    }
                    members.append(Member(start: nameStart - 1, name: name, value: valueStart..<scanner.index))
                    scanner.skipWhitespace()
                    if scanner.current == UInt8(ascii: ",") {
                        scanner.index += 1
                        scanner.skipWhitespace()
                    } else if scanner.current == UInt8(ascii: "}") {
                        scanner.index += 1
                        break
                    } else {
                        return nil
                    }
                }
            }
            scanner.skipWhitespace()
            return scanner.index == bytes.count ? (members, elements) : nil
        } catch {
            return nil
        }
    }

    /// Walks the array at the scanner (its `[`), leaving the scanner past its `]`.
    private static func elements(scanning scanner: inout JSONValidator.Scanner) throws(JSONValidator.Failure) -> [Range<Int>] {
        scanner.index += 1
        scanner.skipWhitespace()
        var elements: [Range<Int>] = []
        if scanner.current == UInt8(ascii: "]") {
            scanner.index += 1
            return elements
        }
        while true {
            let start = scanner.index
            try scanner.value(depth: 2)
            elements.append(start..<scanner.index)
            scanner.skipWhitespace()
            if scanner.current == UInt8(ascii: ",") {
                scanner.index += 1
                scanner.skipWhitespace()
            } else if scanner.current == UInt8(ascii: "]") {
                scanner.index += 1
                return elements
            } else {
                throw scanner.fail("expected , or ] in an array")
            }
        }
    }
}
