extension PricingTable {
    /// The id a price row is keyed by: lower-cased, with a Claude Code selector suffix (`[1m]`), a provider
    /// prefix (`us.anthropic.`), a Vertex `@date`, a Bedrock `-v1:0`, `-latest` and a `-YYYYMMDD` date removed.
    ///
    /// `claude-opus-5-5[1m]` → `claude-opus-5-5`; `claude-haiku-4-5-20251001` → `claude-haiku-4-5`.
    /// Rows match the result exactly, never by prefix: `claude-opus-4` is a prefix of `claude-opus-4-5`,
    /// and the two cost three times apart.
    public static func normalizedModelID(_ model: String) -> String {
        var id = Substring(model.lowercased())
        id = id.drop(while: { $0 == " " })
        while id.last == " " { id.removeLast() }
        if id.last == "]", let open = id.lastIndex(of: "[") { id = id[..<open] }
        if let claude = id.firstRange(of: "claude-"), claude.lowerBound > id.startIndex {
            id = id[claude.lowerBound...]
        }
        if let at = id.firstIndex(of: "@") { id = id[..<at] }
        id = Self.dropBedrockVersion(id)
        if id.hasSuffix("-latest") { id = id.dropLast(7) }
        id = Self.dropDate(id)
        return String(id)
    }

    /// `…-v1:0` or `…-v2` at the end.
    private static func dropBedrockVersion(_ id: Substring) -> Substring {
        guard let dash = id.lastIndex(of: "-") else { return id }
        let tail = id[id.index(after: dash)...]
        guard tail.first == "v", tail.count > 1,
            tail.dropFirst().allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ":") })
        else { return id }
        return id[..<dash]
    }

    /// `…-20251001` at the end.
    private static func dropDate(_ id: Substring) -> Substring {
        guard let dash = id.lastIndex(of: "-") else { return id }
        let tail = id[id.index(after: dash)...]
        guard tail.count == 8, tail.allSatisfy({ $0.isASCII && $0.isNumber }) else { return id }
        return id[..<dash]
    }
}
